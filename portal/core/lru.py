"""A bounded, thread-safe least-recently-used map: the memos of the read path (pages, maps,
trends) and of the publish gate's validation share it."""
from __future__ import annotations

import threading
from collections import OrderedDict

# An LRU's byte bound unless told otherwise (the page cache takes PAGE_CACHE_BYTES).
DEFAULT_BYTES = 64 * 1024 * 1024


class LRU:
    """A thread-safe least-recently-used map bounded by entries and by their total size."""

    def __init__(self, size: int, max_bytes: int = DEFAULT_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        """The value stored under ``key``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key, value, weight: int = 0) -> None:
        """Store ``value`` (``weight`` bytes), dropping the least recently used beyond the bounds."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[0]
            self._items[key] = (weight, value)
            self.bytes += weight
            while self._items and (len(self._items) > self.size or self.bytes > self.max_bytes):
                dropped, _ = self._items.popitem(last=False)[1]
                self.bytes -= dropped

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)
