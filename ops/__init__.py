"""Operations as code: Grafana dashboards and Prometheus alert rules, generated and checked in."""
