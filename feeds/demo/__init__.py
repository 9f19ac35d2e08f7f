"""Synthetic traffic for `make run`, tests and benchmarks; production code never imports it."""
