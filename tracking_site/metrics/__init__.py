"""Prometheus metrics for whoever runs the site: what the carriers cost, how visitors fare (README: Metrics)."""
