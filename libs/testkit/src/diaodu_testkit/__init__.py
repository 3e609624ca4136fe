"""Test support of every diaodu service (a dev dependency, never imported by service code).

`harness`: the real PostgreSQL and broker of a test run, a service on them, a topic reader.
`fakes`: the in-memory unit of work the unit tests of command handlers run on.
"""
