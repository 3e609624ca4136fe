"""The console's edges to the world: routes, the (empty) subscriptions, app wiring, the accounts seed."""
