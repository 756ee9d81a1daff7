"""Harvest runs: read village sources, count, protect, and draft releases."""
