"""Admin fixtures: the release fixtures of tests/datasets."""
from tests.datasets.conftest import redraft  # noqa: F401  (a fixture, shared)
