"""The registry's read side: filtered pages of units, leaders, projects, campaigns and targets, and the
R1 coverage and R11 reserve-health reports. Each query reads on the request's connection (`Conn`)."""
