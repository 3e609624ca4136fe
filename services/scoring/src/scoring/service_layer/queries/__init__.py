"""The read side of the scoring service: one module per resource, each answering read models."""
