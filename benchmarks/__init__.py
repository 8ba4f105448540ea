"""Benchmarks that run the real thing; `python -m benchmarks` runs them all."""
