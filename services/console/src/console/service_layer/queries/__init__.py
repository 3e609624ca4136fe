"""The console's read side, one module per resource: each returns read models."""
