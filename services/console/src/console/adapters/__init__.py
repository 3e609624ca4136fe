"""The console's edges: tables and repositories, password hashing, signing keys, spreadsheet exports."""
