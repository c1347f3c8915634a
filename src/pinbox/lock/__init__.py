"""Locks: the model, the header that makes staleness checkable, the uv adapter, the writers."""
