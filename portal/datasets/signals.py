"""Signals the release workflow sends; the catalog listens (search index, caches).

``catalog_changed`` is sent with the ``Dataset`` as sender whenever what the public sees of
it may have changed: a version published (new data or a metadata edit) or withdrawn.
Receivers write in the sender's transaction, so they commit or roll back with it. Anything
else that changes what a public dataset shows (an organisation renamed, a topic retitled)
should send it for each dataset concerned; ``flask search reindex`` rebuilds everything.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

catalog_changed = _signals.signal("catalog-changed")
