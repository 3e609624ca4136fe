"""Grafana dashboards of diaodu, built with grafana-foundation-sdk (`python -m ops.dashboards.generate`)."""
