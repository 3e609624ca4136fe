"""diaodu shared platform code, written once and imported by every service."""
