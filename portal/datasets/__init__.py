"""Datasets, releases, versions, packaging and file storage."""
