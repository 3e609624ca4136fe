"""The console's test kit: in-memory fakes of its unit of work, builders, the service harness."""
