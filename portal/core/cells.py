"""How a hidden count is written in every published table."""
from __future__ import annotations

SUPPRESSED = "x"  # the missing value published in place of a hidden count
SUPPRESSED_LABEL = "Disembunyikan untuk melindungi data pribadi (UU PDP)"
