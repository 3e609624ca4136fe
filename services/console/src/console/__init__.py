"""diaodu console (控制台): accounts, sign-in and tokens, the audit log — the edge where people enter."""
