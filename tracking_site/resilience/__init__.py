"""Keeping answers coming when a dependency fails: Redis outages, carrier circuit breakers and bulkheads."""
