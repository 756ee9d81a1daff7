"""The q/fq language of the catalog (Solr/Lucene syntax, parsed by luqum) compiled to a Query.

A free-text word or phrase is matched by the full-text index (``portal.search.fulltext``);
a ``field:value`` is matched against the indexed fields of each dataset
(``portal.search.engine``). Both the search page and package_search compile their ``q``
here, so a query means the same on both faces. Every input is bounded before parsing
(length, terms, nesting), so no query costs more than a few milliseconds.

OR binds tighter than the implicit AND: ``organization:a OR organization:b
metadata_modified:[T TO *]`` (what CKAN's harvester sends) means (a or b) and modified.
A q without a field uses CKAN's minimum-should-match ``2<-1 5<80%``
(ckan/lib/search/query.py): up to two words all must match, three to five words may
miss one, more words need 80 %.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from luqum import tree
from luqum.exceptions import IllegalCharacterError, ParseError
from luqum.parser import parser

from portal.search.analysis import STOPWORDS, analyse, tokens
from portal.search.errors import QueryError

MAX_LENGTH = 2000     # characters of one q or fq
MAX_CLAUSES = 64      # words, phrases and field values in one q or fq
MAX_DEPTH = 8         # nested parentheses
FIELD_STEMS_CACHE = 16384  # field values whose stems are kept (titles, notes, resource names)
MAX_DAYS = 365 * 1000  # date math further than this is out of range
TEXT_FIELDS = {"text", "title", "notes", "res_name", "res_description", "author", "maintainer"}
DATE_FIELDS = {"metadata_created", "metadata_modified"}
INT_FIELDS = {"num_resources", "num_tags"}
STRING_FIELDS = {"id", "name", "tags", "groups", "organization", "owner_org", "res_format",
                 "res_url", "license_id", "state", "capacity", "dataset_type", "type", "version",
                 "url", "title_string"}
CASELESS = {"res_format"}  # CKAN stores "CSV"; clients send csv too
_DATE_MATH = re.compile(r"^NOW(?:([+-])(\d{1,12})(DAYS?|HOURS?|MINUTES?))?(?:/DAY)?$")
_OFFSET_TIME = re.compile(r'(^|[\s\[{])(\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d)(?=[\s\]}]|$)')
_UNITS = {"DAY": "days", "DAYS": "days", "HOUR": "hours", "HOURS": "hours",
          "MINUTE": "minutes", "MINUTES": "minutes"}
_PER_DAY = {"days": 1, "hours": 24, "minutes": 24 * 60}

Doc = dict[str, list]


@dataclass(frozen=True)
class Text:
    """A free-text word or phrase: its stems, matched as prefixes (the last, or each word)."""

    stems: tuple[str, ...]
    phrase: bool = False


# A predicate sees a dataset's fields and the ids each Text matched in the full-text index.
Predicate = Callable[[Doc, dict], bool]


@dataclass
class Query:
    """A compiled q or fq: the predicate, and the free-text clauses it needs matched."""

    predicate: Predicate | None  # None: everything
    texts: list[Text]
    # True when every match contains one of ``texts``: the engine then only looks at those.
    within_texts: bool = False


def parse_time(value: str) -> datetime:
    """A Solr date (ISO 8601, 'Z' or offset, or NOW with day/hour/minute math) as naive UTC."""
    value = value.strip()
    math = _DATE_MATH.match(value.upper())
    if math:
        now = datetime.now(UTC).replace(tzinfo=None)
        if value.upper().endswith("/DAY"):
            now = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if math.group(1):
            unit, amount = _UNITS[math.group(3)], int(math.group(2))
            if amount > MAX_DAYS * _PER_DAY[unit]:
                raise QueryError(f"Date math out of range: '{value}'")
            delta = timedelta(**{unit: amount})
            now = now + delta if math.group(1) == "+" else now - delta
        return now
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(f"Invalid Date String: '{value}'") from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            raise QueryError(f"Date out of range: '{value[:40]}'") from None
    return parsed


def min_should_match(count: int) -> int:
    """CKAN's mm ``2<-1 5<80%``: how many of ``count`` optional clauses must match."""
    if count <= 2:
        return count
    if count <= 5:
        return count - 1
    return int(count * 0.8)


def check_field(field: str) -> None:
    """Reject a field the index does not have, as Solr does for an undefined field."""
    known = TEXT_FIELDS | DATE_FIELDS | INT_FIELDS | STRING_FIELDS
    if field not in known and not field.startswith("extras_"):
        raise QueryError(f"undefined field {field}")


def _bounded(text: str) -> str:
    """``text`` if it is within the length, clause and nesting bounds, else a QueryError."""
    if len(text) > MAX_LENGTH:
        raise QueryError(f"query longer than {MAX_LENGTH} characters")
    depth = deepest = 0
    for char in text:
        depth += char == "("
        depth -= char == ")"
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise QueryError(f"parentheses nested deeper than {MAX_DEPTH}")
    if len(text.split()) > MAX_CLAUSES * 2:  # a word and an operator per clause
        raise QueryError(f"more than {MAX_CLAUSES} terms")
    return text


def _parse(text: str) -> tree.Item:
    """The luqum tree of a bounded q/fq; CKAN's ``&&``/``||`` read as AND/OR."""
    text = re.sub(r"\s&&\s", " AND ", re.sub(r"\s\|\|\s", " OR ", text))
    text = _OFFSET_TIME.sub(r'\1"\2"', text)  # luqum reads the ':' of "+07:00" as a field
    try:
        return parser.parse(text)
    except (ParseError, IllegalCharacterError) as exc:
        raise QueryError(f"syntax error: {str(exc)[:120]}") from None


def _unquote(value: str) -> str:
    """A term's text: the quotes of a phrase and backslash escapes removed."""
    value = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    return re.sub(r"\\(.)", r"\1", value)


class _Compiler:
    """Walks a luqum tree into a predicate, counting clauses and collecting Text clauses."""

    def __init__(self):
        """A compiler with no clauses counted or collected yet."""
        self.texts: list[Text] = []
        self.clauses = 0

    def node(self, item: tree.Item, field: str | None = None) -> Predicate:
        """The predicate of one tree node, inside ``field`` when under ``field:(...)``."""
        if isinstance(item, (tree.Group, tree.FieldGroup)):
            return self.node(item.expr, field)
        if isinstance(item, tree.SearchField):
            return self.search_field(item, field)
        if isinstance(item, (tree.Not, tree.Prohibit)):
            inner = self.node(item.a, field)
            return lambda d, m: not inner(d, m)
        if isinstance(item, tree.Plus):
            return self.node(item.a, field)
        if isinstance(item, tree.OrOperation):
            parts = [self.node(c, field) for c in item.children]
            return lambda d, m: any(p(d, m) for p in parts)
        if isinstance(item, (tree.AndOperation, tree.UnknownOperation)):
            parts = [self.node(c, field) for c in item.children]
            return lambda d, m: all(p(d, m) for p in parts)
        if isinstance(item, (tree.Boost, tree.Fuzzy, tree.Proximity)):
            return self.node(item.term if hasattr(item, "term") else item.children[0], field)
        if isinstance(item, tree.Range):
            return self.range(item, field or "text")
        if isinstance(item, (tree.Word, tree.Phrase)):
            return self.value(field or "text", item)
        raise QueryError(f"unsupported query syntax: {type(item).__name__}")

    def search_field(self, item: tree.SearchField, outer: str | None) -> Predicate:
        """``field:expr``; ``*:*`` matches everything."""
        if item.name == "*":
            return lambda d, m: True
        check_field(item.name)
        return self.node(item.expr, item.name)

    def value(self, field: str, item: tree.Term) -> Predicate:
        """One word or phrase of ``field``: full text, stemmed text of a field, or exact value."""
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"more than {MAX_CLAUSES} terms")
        phrase = isinstance(item, tree.Phrase)
        raw = _unquote(item.value)
        if field == "text":
            return self.text(raw, phrase)
        if field in TEXT_FIELDS:
            return _field_text(field, raw, phrase)
        if field in DATE_FIELDS | INT_FIELDS:
            target = _typed(field, raw)
            return lambda d, m: target in d.get(field, ())
        return _string_matcher(field, raw, phrase)

    def text(self, raw: str, phrase: bool) -> Predicate:
        """A free-text clause, answered by the full-text index (stopwords only: matches all)."""
        if not phrase and raw == "*":
            return lambda d, m: True
        stems = tuple(analyse(raw.replace("*", " ").replace("?", " ")))
        if not stems:
            return lambda d, m: True
        if not phrase and ("*" in raw or "?" in raw):
            # A wildcard word is a prefix of what was typed, not of a stem (Solr: not analysed).
            stems = tuple(w for w in tokens(raw.split("*")[0].split("?")[0]) if w not in STOPWORDS) or stems
        # A quoted phrase keeps its words in order; a joined word (KTP-el, penduduk/desa)
        # needs each of its words anywhere.
        texts = [Text(stems, True)] if phrase and len(stems) > 1 else [Text((s,)) for s in stems]
        self.texts.extend(texts)
        return lambda d, m: all(d["id"][0] in m.get(t, ()) for t in texts)

    def range(self, item: tree.Range, field: str) -> Predicate:
        """``[lo TO hi]``, ``{lo TO hi}`` or mixed, on a date, number or string field."""
        self.clauses += 1
        lo_raw, hi_raw = _unquote(item.low.value), _unquote(item.high.value)
        lo = None if lo_raw == "*" else _typed(field, lo_raw)
        hi = None if hi_raw == "*" else _typed(field, hi_raw)
        low_in, high_in = item.include_low, item.include_high

        def within(v) -> bool:
            """Whether ``v`` lies between the bounds, each inclusive or exclusive."""
            try:
                if lo is not None and (v < lo or (v == lo and not low_in)):
                    return False
                return hi is None or v < hi or (v == hi and high_in)
            except TypeError:
                return False
        return lambda d, m: any(within(v) for v in d.get(field, ()))


def _typed(field: str, value: str):
    """A value as its field stores it: a date, a bounded integer, or the string itself."""
    if field in DATE_FIELDS:
        return parse_time(value)
    if field in INT_FIELDS:
        if not re.fullmatch(r"-?\d{1,18}", value):
            raise QueryError(f"Invalid Number: {value[:40]}")
        return int(value)
    return value


@functools.lru_cache(maxsize=FIELD_STEMS_CACHE)
def _field_stems(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A field value's stems in order, and sorted without repeats (for prefix look-ups)."""
    stems = tuple(analyse(value))
    return stems, tuple(sorted(set(stems)))


def _has_prefix(ordered: tuple[str, ...], prefix: str) -> bool:
    """Whether a stem of the sorted ``ordered`` begins with ``prefix`` (binary search)."""
    i = bisect.bisect_left(ordered, prefix)
    return i < len(ordered) and ordered[i].startswith(prefix)


def _field_text(field: str, raw: str, phrase: bool) -> Predicate:
    """A word of a text field (title:penduduk): its stems found in that field's stems."""
    wanted = analyse(raw.replace("*", " "))
    if not wanted:
        return lambda d, m: True

    seen: dict[str, bool] = {}  # this query's answer per distinct value (resources repeat them)

    def value_matches(value: str) -> bool:
        """Every wanted stem begins a stem of ``value`` (in order for a phrase)."""
        if value not in seen:
            have, ordered = _field_stems(value)
            seen[value] = all(_has_prefix(ordered, w) for w in wanted) and (
                not phrase or any(all(have[i + k].startswith(w) for k, w in enumerate(wanted))
                                  for i in range(len(have) - len(wanted) + 1)))
        return seen[value]
    return lambda d, m: any(value_matches(str(v)) for v in d.get(field, ()))


def _string_matcher(field: str, raw: str, phrase: bool) -> Predicate:
    """An exact string value, ``*`` for any, or a wildcard pattern (no regex from the client)."""
    caseless = field in CASELESS or field == "tags"
    if not phrase and raw == "*":
        return lambda d, m: bool(d.get(field))
    if not phrase and ("*" in raw or "?" in raw):
        pattern = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in raw),
                             re.IGNORECASE if caseless else 0)
        return lambda d, m: any(pattern.fullmatch(str(v)) for v in d.get(field, ()))
    if caseless:
        target = raw.lower()
        return lambda d, m: any(str(v).lower() == target for v in d.get(field, ()))
    return lambda d, m: raw in d.get(field, ())


def compile_query(text: str | None, fielded_default: bool = False) -> Query:
    """The Query of a q or fq string; '', '*', '*:*' match everything.

    A string with no ``:`` is a dismax query with CKAN's minimum-should-match over its
    top-level clauses; a fielded one (or an fq, ``fielded_default``) needs every clause.
    """
    text = "" if text is None else str(text)
    if re.search(r"%(20|3A|5B|5D|22)", text, re.IGNORECASE):
        text = unquote(text)  # some harvesters (piveau) encode their query twice
    stripped = text.strip()
    if stripped in ("", "*:*", "*", '""', "''"):
        return Query(None, [])
    compiler = _Compiler()
    root = _parse(_bounded(stripped))
    if fielded_default or ":" in stripped or not isinstance(root, tree.UnknownOperation):
        predicate = compiler.node(root)
        return Query(predicate, compiler.texts, _free_text(root) and bool(compiler.texts))
    clauses = [c for c in root.children if not _only_stopwords(c)]
    predicate = _min_match(compiler, clauses)
    return Query(predicate, compiler.texts, bool(clauses) and all(map(_free_text, clauses))
                 and bool(compiler.texts))


def _free_text(item: tree.Item) -> bool:
    """A bare word or phrase (not ``*``): it matches only what the full-text index finds."""
    return isinstance(item, (tree.Word, tree.Phrase)) and item.value != "*"


def _only_stopwords(item: tree.Item) -> bool:
    """A bare word with nothing to search for ("dan"): left out of the minimum-should-match."""
    return isinstance(item, tree.Word) and item.value != "*" and not analyse(item.value)


def _min_match(compiler: _Compiler, children) -> Predicate:
    """Dismax: +clauses required, -clauses excluded, the rest by CKAN's minimum-should-match."""
    required, excluded, optional = [], [], []
    for child in children:
        if isinstance(child, tree.Plus):
            required.append(compiler.node(child.a))
        elif isinstance(child, (tree.Prohibit, tree.Not)):
            excluded.append(compiler.node(child.a))
        else:
            optional.append(compiler.node(child))
    need = min_should_match(len(optional)) if optional and not required else 0

    def matches(d, m) -> bool:
        """Required all, excluded none, and at least ``need`` of the optional clauses."""
        if not all(p(d, m) for p in required) or any(p(d, m) for p in excluded):
            return False
        return sum(1 for p in optional if p(d, m)) >= need
    return matches


def any_of(field: str, values: list[str]) -> Query:
    """A filter on one field: any of ``values`` (the page's facets; fq's ``field:(a OR b)``)."""
    check_field(field)
    matchers = [_string_matcher(field, v, True) for v in values]
    return Query(lambda d, m: any(p(d, m) for p in matchers), [])
