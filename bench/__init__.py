"""Benchmarks: scripts that print figures (not tests). Run `make bench` or `python -m bench.run`."""
