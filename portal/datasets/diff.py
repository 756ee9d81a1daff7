"""What a release changes against the last published version: schema, code lists, rows, cells."""
from __future__ import annotations

import pandas as pd

SAMPLE = 50


def _fields(schema: dict) -> dict[str, dict]:
    return {f["name"]: f for f in schema.get("fields", [])}


def _categories(field: dict) -> dict[str, str]:
    return {str(c["value"] if isinstance(c, dict) else c): (c.get("label", "") if isinstance(c, dict) else str(c))
            for c in field.get("categories", [])}


def schema_diff(old: dict, new: dict) -> dict:
    """Fields added, removed or retyped; key and missing-value changes; code list changes."""
    before, after = _fields(old), _fields(new)
    changed = []
    for name in before.keys() & after.keys():
        for prop in ("type", "constraints", "format"):
            if before[name].get(prop) != after[name].get(prop):
                changed.append({"field": name, "property": prop,
                                "from": before[name].get(prop), "to": after[name].get(prop)})
    codes = []
    for name in sorted(before.keys() & after.keys()):
        old_cats, new_cats = _categories(before[name]), _categories(after[name])
        if old_cats == new_cats:
            continue
        codes.append({"field": name,
                      "added": sorted(set(new_cats) - set(old_cats)),
                      "removed": sorted(set(old_cats) - set(new_cats)),
                      "relabelled": sorted(k for k in old_cats.keys() & new_cats.keys()
                                           if old_cats[k] != new_cats[k])})
    keys = [prop for prop in ("primaryKey", "uniqueKeys", "missingValues") if old.get(prop) != new.get(prop)]
    return {"fields_added": sorted(after.keys() - before.keys()),
            "fields_removed": sorted(before.keys() - after.keys()),
            "fields_changed": sorted(changed, key=lambda c: (c["field"], c["property"])),
            "keys_changed": keys, "code_lists": codes,
            "changed": bool(after.keys() ^ before.keys() or changed or codes or keys)}


def _key(schema: dict, frame: pd.DataFrame) -> list[str]:
    key = schema.get("primaryKey") or [frame.columns[0]]
    return [key] if isinstance(key, str) else list(key)


def table_diff(old: pd.DataFrame, new: pd.DataFrame, old_schema: dict, new_schema: dict,
               marker: str) -> dict:
    """Rows added and removed (by primary key), cells changed, and cells newly hidden or shown.

    Tables are compared as published text: ``marker`` is the hidden-cell value ("x").
    """
    key = [k for k in _key(new_schema, new) if k in old.columns and k in new.columns]
    if not key:
        return {"comparable": False, "rows_added": len(new), "rows_removed": len(old)}
    left, right = old.set_index(key), new.set_index(key)
    left = left[~left.index.duplicated()]
    right = right[~right.index.duplicated()]
    added, removed = right.index.difference(left.index), left.index.difference(right.index)
    common_rows = left.index.intersection(right.index)
    columns = [c for c in right.columns if c in left.columns]
    a = left.loc[common_rows, columns]
    b = right.loc[common_rows, columns]
    differs = a.ne(b)
    hidden = a.ne(marker) & b.eq(marker)
    shown = a.eq(marker) & b.ne(marker)
    samples = []
    for row, col in zip(*differs.to_numpy().nonzero()):
        if len(samples) >= SAMPLE:
            break
        index = common_rows[row]
        samples.append({"key": list(index) if isinstance(index, tuple) else [index],
                        "column": columns[col], "from": a.iat[row, col], "to": b.iat[row, col]})
    return {
        "comparable": True, "key": key,
        "rows_old": len(old), "rows_new": len(new),
        "rows_added": len(added), "rows_removed": len(removed),
        "rows_changed": int(differs.any(axis=1).sum()),
        "cells_changed": int(differs.to_numpy().sum()),
        "cells_changed_by_column": {c: int(n) for c, n in differs.sum().items() if n},
        "cells_newly_suppressed": int(hidden.to_numpy().sum()),
        "cells_revealed": int(shown.to_numpy().sum()),
        "added_keys": [list(i) if isinstance(i, tuple) else [i] for i in added[:SAMPLE]],
        "removed_keys": [list(i) if isinstance(i, tuple) else [i] for i in removed[:SAMPLE]],
        "samples": samples,
    }
