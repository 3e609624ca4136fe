"""The scoring service's test kit: in-memory fakes of its unit of work, the hand-computed month,
the world of events the integration tests feed it, and the two-replica harness."""
