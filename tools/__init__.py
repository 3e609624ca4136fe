"""Tools that drive a running diaodu from outside, as its users do (not part of any service)."""
