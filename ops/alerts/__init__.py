"""Prometheus alert rules of diaodu (`python -m ops.alerts.generate`); ops/RUNBOOK.md explains each."""
