"""Rules: one module per family; the registry is plain data."""
