"""The console's handlers: sign-in, sessions, tokens, accounts, machine clients; and its read side."""
