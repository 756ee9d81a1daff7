"""/datastore/dump/<resource_id>: a table (or the part a search selects) as CSV, TSV, JSON or XML.

Follows ckanext/datastore/blueprint.py (``dump_schema``, ``dump_to``) and writer.py: the
parameters are format, bom, offset, limit, filters, q, plain, language, distinct, fields
and sort; other parameters are ignored; a bad value is a 400 naming the parameter; a BOM
may start every format. The rows come from the same search as datastore_search (its
bounds included); there is no row cap, as CKAN's dump pages through the whole table.
"""
from __future__ import annotations

import dataclasses
import json
from xml.etree.ElementTree import Element, SubElement, tostring

from portal.api import datastore
from portal.api.errors import ValidationError
from portal.api.params import as_bool, as_int
from portal.api.tables import Table, resource_table

BOM = "\N{BYTE ORDER MARK}"
# format → (records_format of the search, content type); blueprint.py's DUMP_FORMATS.
FORMATS = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "tsv": ("tsv", "text/tab-separated-values; charset=utf-8"),
    "json": ("lists", "application/json; charset=utf-8"),
    "xml": ("objects", "text/xml; charset=utf-8"),
}
SEARCH_PARAMS = ("filters", "q", "distinct", "plain", "language", "fields", "sort")
XSI = "http://www.w3.org/2001/XMLSchema-instance"


class DumpError(ValueError):
    """A dump parameter CKAN's dump_schema refuses (answered 400 with ``key: message``)."""


def _format(args: dict) -> str:
    """``format`` (default csv), one of DUMP_FORMATS."""
    fmt = (args.get("format") or "csv").lower()
    if fmt not in FORMATS:
        raise DumpError(f"format: Value must be one of {list(FORMATS)}")
    return fmt


def parse(resource_id: str, args: dict) -> tuple[datastore.Search, str, bool]:
    """The search behind a dump, its format and whether a BOM starts it."""
    fmt = _format(args)
    params = {"resource_id": resource_id, "records_format": FORMATS[fmt][0], "include_total": False,
              **{k: args[k] for k in SEARCH_PARAMS if k in args}}
    try:
        bom = as_bool(args, "bom", False)
        offset = as_int(args, "offset", 0)
        limit = as_int(args, "limit", None)
        search = datastore.parse_search(params)
    except ValidationError as exc:
        raise DumpError("\n".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.errors.items())) from None
    return dataclasses.replace(search, offset=offset, limit=limit if limit is not None else 2 ** 62), fmt, bom


def _csv(table: Table, found: datastore.Found, fmt: str) -> str:
    """Header and rows as published (hidden cells keep their marker)."""
    delimiter = "," if fmt == "csv" else "\t"
    return datastore.delimited([found.columns], delimiter) + datastore.records(table, found, fmt)


def _json(table: Table, found: datastore.Found) -> str:
    """writer.py's JSON: ``{"fields": [...], "records": [[...], ...]}``, one record a line."""
    fields = json.dumps(datastore.field_list(table, found.columns, found.ranks), ensure_ascii=False,
                        separators=(",", ":"))
    rows = ",\n    ".join(json.dumps(r, ensure_ascii=False, separators=(",", ":"))
                          for r in datastore.records(table, found, "lists"))
    records = f"\n    {rows}" if rows else ""
    return f'{{\n  "fields": {fields},\n  "records": [{records}\n]}}\n'


def _xml_row(record: dict) -> str:
    """One ``<row _id="n">`` element; a null is ``xsi:nil="true"``."""
    row = Element("row")
    if "_id" in record:
        row.set("_id", str(record["_id"]))
    for column, value in record.items():
        if column == "_id":
            continue
        cell = SubElement(row, column)
        if value is None:
            cell.set("xsi:nil", "true")
        else:
            cell.text = str(value)
    return tostring(row, encoding="unicode")


def _xml(table: Table, found: datastore.Found) -> str:
    """writer.py's XML: ``<data>`` with one ``<row>`` per record."""
    rows = "".join(_xml_row(r) + "\n" for r in datastore.records(table, found, "objects"))
    return f'<data xmlns:xsi="{XSI}">\n{rows}</data>\n'


def dump(resource_id: str, args: dict) -> tuple[str, str]:
    """The dump's body and format; NotFound, DumpError or a Validation Error otherwise."""
    table = resource_table(resource_id)  # a version's table or a dataset's series
    search, fmt, bom = parse(resource_id, args)
    found = datastore.run(table, search)
    if fmt in ("csv", "tsv"):
        body = _csv(table, found, fmt)
    elif fmt == "json":
        body = _json(table, found)
    else:
        body = _xml(table, found)
    return (BOM if bom else "") + body, fmt
