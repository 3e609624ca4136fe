"""The console's rules, pure: passwords, lock-out, session expiry and the shape of an account."""
