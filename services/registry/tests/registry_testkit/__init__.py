"""The registry's test kit: in-memory fakes of its unit of work, command builders, the service harness."""
