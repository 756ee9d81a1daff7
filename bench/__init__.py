"""Benchmarks (not tests): each prints its comparison measured in the same run."""
