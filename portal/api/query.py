"""The q/fq language of package_search: Solr-style terms compiled into predicates.

OR binds tighter than the implicit AND: ``organization:a OR organization:b
metadata_modified:[T TO *]`` (what CKAN's harvester sends) means (a or b) and modified.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from portal.api.errors import SearchQueryError

Doc = dict[str, list]
Predicate = Callable[[Doc], bool]

TEXT_FIELDS = {"text", "title", "notes", "res_name", "res_description", "author", "maintainer"}
DATE_FIELDS = {"metadata_created", "metadata_modified"}
INT_FIELDS = {"num_resources", "num_tags"}
STRING_FIELDS = {"id", "name", "tags", "groups", "organization", "owner_org", "res_format",
                 "res_url", "license_id", "state", "capacity", "dataset_type", "type", "version",
                 "url", "title_string"}
SORTABLE = {"id", "name", "title", "title_string", "metadata_created", "metadata_modified",
            "num_resources", "num_tags", "version", "score"}
_DATE_MATH = re.compile(r"^NOW(?:([+-])(\d+)(DAYS?|HOURS?|MINUTES?))?(?:/DAY)?$")
_RANGE_END = re.compile(r"[\]}]")
_FIELD = re.compile(r"([A-Za-z_][\w.]*|\*):")
_UNITS = {"DAY": "days", "DAYS": "days", "HOUR": "hours", "HOURS": "hours",
          "MINUTE": "minutes", "MINUTES": "minutes"}


def parse_time(value: str) -> datetime:
    """A Solr date (ISO 8601, 'Z' or offset, or NOW with day/hour math) as naive UTC."""
    value = value.strip()
    math = _DATE_MATH.match(value.upper())
    if math:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        if value.upper().endswith("/DAY"):
            now = now.replace(hour=0, minute=0, second=0, microsecond=0)
        if math.group(1):
            delta = timedelta(**{_UNITS[math.group(3)]: int(math.group(2))})
            now = now + delta if math.group(1) == "+" else now - delta
        return now
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SearchQueryError(f"Invalid Date String: '{value}'") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _typed(field: str, value: str):
    if field in DATE_FIELDS:
        return parse_time(value)
    if field in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            raise SearchQueryError(f"Invalid Number: {value}") from None
    return value


def _value_matcher(field: str, value: str, phrase: bool) -> Callable[[object], bool]:
    if field in TEXT_FIELDS:
        needle = value.lower()
        if not phrase and ("*" in needle or "?" in needle):
            return lambda v: any(fnmatch.fnmatchcase(w, needle) for w in str(v).lower().split())
        return lambda v: needle in str(v).lower()
    if not phrase and value == "*":
        return lambda v: True
    if not phrase and field not in DATE_FIELDS | INT_FIELDS and ("*" in value or "?" in value):
        return lambda v: fnmatch.fnmatchcase(str(v), value)
    target = _typed(field, value)
    return lambda v: v == target


def check_field(field: str) -> None:
    """Reject a field the index does not have, as Solr does for an undefined field."""
    known = TEXT_FIELDS | DATE_FIELDS | INT_FIELDS | STRING_FIELDS
    if field not in known and not field.startswith("extras_"):
        raise SearchQueryError(f"undefined field {field}")


class _Parser:
    """Recursive descent over one q or fq string."""

    def __init__(self, text: str):
        self.s, self.i = text, 0

    def parse(self) -> Predicate:
        """The predicate of the whole string; anything left over is an error."""
        pred = self._and()
        self._ws()
        if self.i < len(self.s):
            raise SearchQueryError(f"unexpected '{self.s[self.i:self.i + 10]}'")
        return pred

    def _ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def _keyword(self, word: str) -> bool:
        self._ws()
        end = self.i + len(word)
        if self.s[self.i:end] == word and (end == len(self.s) or self.s[end].isspace() or self.s[end] == "("):
            self.i = end
            return True
        return False

    def _and(self) -> Predicate:
        parts = [self._or()]
        while True:
            self._ws()
            if self.i >= len(self.s) or self.s[self.i] == ")":
                break
            self._keyword("AND") or self._keyword("&&")
            parts.append(self._or())
        return parts[0] if len(parts) == 1 else (lambda d: all(p(d) for p in parts))

    def _or(self) -> Predicate:
        parts = [self._unary()]
        while self._keyword("OR") or self._keyword("||"):
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else (lambda d: any(p(d) for p in parts))

    def _unary(self) -> Predicate:
        self._ws()
        if self.i >= len(self.s):
            raise SearchQueryError("unexpected end of query")
        if self._keyword("NOT") or self.s[self.i] in "-!":
            if self.s[self.i] in "-!":
                self.i += 1
            inner = self._unary()
            return lambda d: not inner(d)
        if self.s[self.i] == "+":
            self.i += 1
            return self._unary()
        if self.s[self.i] == "(":
            self.i += 1
            inner = self._and()
            self._expect(")")
            return inner
        return self._term()

    def _expect(self, char: str) -> None:
        self._ws()
        if self.i >= len(self.s) or self.s[self.i] != char:
            raise SearchQueryError(f"expected '{char}'")
        self.i += 1

    def _term(self) -> Predicate:
        match = _FIELD.match(self.s, self.i)
        if match:
            self.i = match.end()
            field = match.group(1)
            if field == "*":
                self._word()
                return lambda d: True
            check_field(field)
            return self._field_value(field)
        phrase = self._at_quote()
        word = self._quoted() if phrase else self._word()
        matcher = _value_matcher("text", word, phrase)
        return lambda d: any(matcher(v) for v in d["text"])

    def _field_value(self, field: str) -> Predicate:
        if self.i < len(self.s) and self.s[self.i] in "[{":
            return self._range(field)
        if self.i < len(self.s) and self.s[self.i] == "(":
            self.i += 1
            inner = _Parser.__new__(_Parser)
            inner.s, inner.i = self.s, self.i
            values = [inner._single(field)]
            while inner._keyword("OR") or inner._keyword("||"):
                values.append(inner._single(field))
            self.i = inner.i
            self._expect(")")
            return lambda d: any(p(d) for p in values)
        return self._single(field)

    def _single(self, field: str) -> Predicate:
        self._ws()
        phrase = self._at_quote()
        value = self._quoted() if phrase else self._word()
        matcher = _value_matcher(field, value, phrase)
        return lambda d: any(matcher(v) for v in d.get(field, ()))

    def _range(self, field: str) -> Predicate:
        inclusive_lo = self.s[self.i] == "["
        found = _RANGE_END.search(self.s, self.i)
        if found is None:
            raise SearchQueryError("unterminated range")
        close = found.start()
        inclusive_hi = self.s[close] == "]"
        body = self.s[self.i + 1:close].split()
        self.i = close + 1
        if len(body) != 3 or body[1] != "TO":
            raise SearchQueryError(f"bad range for {field}")
        lo = None if body[0] == "*" else _typed(field, body[0].strip('"'))
        hi = None if body[2] == "*" else _typed(field, body[2].strip('"'))

        def in_range(v) -> bool:
            """Whether ``v`` lies between the bounds, each inclusive or exclusive."""
            if lo is not None and (v < lo or (v == lo and not inclusive_lo)):
                return False
            return hi is None or v < hi or (v == hi and inclusive_hi)
        return lambda d: any(in_range(v) for v in d.get(field, ()))

    def _at_quote(self) -> bool:
        return self.i < len(self.s) and self.s[self.i] == '"'

    def _quoted(self) -> str:
        out, self.i = [], self.i + 1
        while self.i < len(self.s) and self.s[self.i] != '"':
            if self.s[self.i] == "\\" and self.i + 1 < len(self.s):
                self.i += 1
            out.append(self.s[self.i])
            self.i += 1
        if self.i >= len(self.s):
            raise SearchQueryError("unterminated quote")
        self.i += 1
        return "".join(out)

    def _word(self) -> str:
        out = []
        while self.i < len(self.s) and not self.s[self.i].isspace() and self.s[self.i] != ")":
            if self.s[self.i] == "\\" and self.i + 1 < len(self.s):
                self.i += 1
            out.append(self.s[self.i])
            self.i += 1
        if not out:
            raise SearchQueryError("empty term")
        return "".join(out)


def compile_query(text: str | None) -> Predicate | None:
    """A predicate for a q or fq string; None when it matches everything."""
    if text is None:
        return None
    text = str(text)
    if re.search(r"%(20|3A|5B|5D|22)", text, re.IGNORECASE):
        # Some harvesters (piveau) encode their query twice.
        text = unquote(text)
    if not text.strip() or text.strip() in ("*:*", "*"):
        return None
    return _Parser(text).parse()


