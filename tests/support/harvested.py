"""Which datasets one harvest of the test district drafts: derived, never a hard-coded number."""
from portal.datasets.geo import BOUNDARIES
from portal.statistics.catalogue import CATALOGUE
from portal.statistics.quality import QUALITY_NAME


def harvested_names() -> list[str]:
    """Every catalogue table, the desa boundaries and the data-quality table, in that order."""
    return [*(spec.name for spec in CATALOGUE), BOUNDARIES.name, QUALITY_NAME]
