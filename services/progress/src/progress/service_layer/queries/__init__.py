"""The read side of progress, one module per resource: reports, anomalies, projects and timelines,
months of a unit and the region, lights, rates, schedule, unit returns and the policy."""
