"""Scan every file that would be published for anything that looks like personal data.

Text is scanned line by line; JSON is walked value by value so that the few metadata fields
a Data Package declares (a resource's "hash", a descriptor's "created" timestamp) are
recognised by key and exact format, not by exempting the file; XLSX is scanned as its cell
values and as the raw XML of every part; zip archives member by member, names included.
A finding names the file, the place and the pattern, never the matched text.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import unicodedata
import zipfile
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd

SEP = r"[ .\-]?"
PATTERNS: dict[str, re.Pattern] = {
    # Fail closed: any 16-digit run, separators allowed, is a NIK or No. KK until shown otherwise.
    "nik_or_kk": re.compile(r"(?<![\dA-Za-z])\d(?:[ .\-]?\d){15}(?![\dA-Za-z])"),
    "excel_nik": re.compile(r"\d[.,]\d+E\+?1[4-6]", re.IGNORECASE),
    "hex_hash": re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})(?![0-9A-Za-z])"),
    "phone": re.compile(r"(?<![\d+])(?:\+62|62|0)" + SEP + r"8[1-9](?:" + SEP + r"\d){6,10}(?!\d)"
                        r"|(?<![\d.])\(0[2-9]\d{1,3}\)\s?\d{5,8}(?!\d)"
                        r"|(?<![\d.])(?:\+62|62)" + SEP + r"[2-7]\d{1,2}" + SEP + r"\d{5,8}(?!\d)"),
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "rt_rw": re.compile(r"(?<![A-Za-z])RT[\s._]*/?[\s_]*RW(?![A-Za-z])"
                        r"|(?<![A-Za-z])RT[\s._]*0*\d{1,3}[\s_]*[/,\-_]?[\s_]*RW[\s._]*0*\d{1,3}(?!\d)",
                        re.IGNORECASE),
    "date": re.compile(r"(?<![\d.])(?:\d{1,2}[-/]\d{1,2}[-/](?:19|20)\d{2}"
                       r"|(?:19|20)\d{2}[-/](?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01]))(?![\d])"),
}
NIK = re.compile(r"(1[1-9]|[2-9]\d)\d{4}(0[1-9]|[12]\d|3[01]|4[1-9]|[56]\d|7[01])(0[1-9]|1[0-2])"
                 r"\d{2}(?!0000)\d{4}")
# Metadata a Data Package declares, recognised by key and by exact format only.
DECLARED = {
    "hash": re.compile(r"(?:sha256:[0-9a-f]{64}|sha1:[0-9a-f]{40}|md5:[0-9a-f]{32})"),
    "created": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z"),
    # A package's id is a random UUID; its digits can look like a NIK or a phone number.
    "id": re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    # A package's semantic version, or a source's version given as its reference date.
    "version": re.compile(r"\d+\.\d+\.\d+|\d{4}-\d{2}-\d{2}"),
}
REFERENCE_DATE = re.compile(r"tanggal referensi \d{4}-\d{2}-\d{2}")  # in a source's title
# The timestamps openpyxl writes in docProps/core.xml, recognised as elements.
CORE_XML_TIMES = re.compile(r"(<dcterms:(created|modified) xsi:type=\"dcterms:W3CDTF\">)"
                            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z(</dcterms:\2>)")
MAX_NAME_TOKENS = 6
# A harvest scans each draft file when it is written and again, with the residents' names,
# for the privacy report: the patterns found per line (line numbers and pattern names, never
# a match) are remembered by the text's digest, so the second scan only looks for names.
_LINE_PATTERNS: OrderedDict[tuple[str, frozenset], list[tuple[int, str]]] = OrderedDict()
_LINE_PATTERNS_KEPT = 256
_LINE_PATTERNS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Finding:
    """A suspicious match: which file, which line or place, which pattern; not the match itself."""

    file: str
    line: int
    pattern: str
    where: str = ""

    def __str__(self) -> str:
        place = self.where or f"baris {self.line}"
        return f"{self.file} {place}: pola {self.pattern}"


class PersonalDataFound(Exception):
    """The output scan found something shaped like personal data; nothing is published."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("pemindaian keluaran menemukan pola data pribadi: "
                         + "; ".join(str(f) for f in findings[:10]))


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text))


def build_deny_list(residents_names: pd.Series) -> set[str]:
    """The residents' names, normalised, for the scanner; kept in memory only, never stored."""
    names = residents_names.dropna().astype(str).map(_normal)
    return {n for n in names if len(n.replace(" ", "")) >= 3}


class _Deny:
    """A deny-list with the set of every word its names are made of, built once per scan.

    A run of words can only be a name when each of its words is a word of some name, so the
    search stops lengthening a run at the first word no name has (most words of a table).
    """

    def __init__(self, names: set[str]):
        self.names = names
        self.words = {word for name in names for word in name.split()}

    def __bool__(self) -> bool:
        return bool(self.names)


def _deny(deny) -> _Deny:
    """``deny`` ready for _names_in (a plain set of normalised names is wrapped once)."""
    if isinstance(deny, _Deny):
        return deny
    return _Deny(deny if isinstance(deny, (set, frozenset)) else set(deny))


def _names_in(text: str, deny) -> bool:
    if not deny:
        return False
    deny = _deny(deny)
    words = _normal(text).split()
    for i in range(len(words)):
        for n in range(1, min(MAX_NAME_TOKENS, len(words) - i) + 1):
            if words[i + n - 1] not in deny.words:
                break  # no name has this word: no longer run from i can be one
            if " ".join(words[i:i + n]) in deny.names:
                return True
    return False


def _present(text: str, allow: set[str]) -> set[str]:
    """Patterns not found anywhere in ``text``, for skipping line by line.

    A match inside one line is a match in the whole text (the look-arounds treat a line break
    as they treat the line's edge), so a pattern absent from the whole text is absent from
    every line.
    """
    return {name for name, regex in PATTERNS.items() if name in allow or not regex.search(text)}


def _patterns_in(text: str, allow: set[str] = frozenset()) -> list[str]:
    found = []
    for name, regex in PATTERNS.items():
        if name in allow:
            continue
        match = regex.search(text)
        if match:
            digits = re.sub(r"\D", "", match.group()) if name == "nik_or_kk" else ""
            found.append("nik" if digits and NIK.fullmatch(digits) else name)
    return found


def _line_patterns(text: str, allow: set[str]) -> list[tuple[int, str]]:
    """(line number, pattern) of every pattern found, line by line, in order (remembered)."""
    key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), frozenset(allow))
    with _LINE_PATTERNS_LOCK:
        if key in _LINE_PATTERNS:
            _LINE_PATTERNS.move_to_end(key)
            return _LINE_PATTERNS[key]
    found: list[tuple[int, str]] = []
    skip = _present(text, allow)  # one search of the whole text per pattern, then only lines
    if len(skip) < len(PATTERNS):
        for number, line in enumerate(text.splitlines(), start=1):
            found += [(number, p) for p in _patterns_in(line, skip)]
    with _LINE_PATTERNS_LOCK:
        _LINE_PATTERNS[key] = found
        while len(_LINE_PATTERNS) > _LINE_PATTERNS_KEPT:
            _LINE_PATTERNS.popitem(last=False)
    return found


def scan_text(name: str, text: str, allow: set[str] = frozenset(),
              deny: set[str] = frozenset()) -> list[Finding]:
    """Findings in one text, line by line; ``allow`` names patterns legitimately present."""
    patterns = _line_patterns(text, allow)
    if not deny:
        return [Finding(name, number, p) for number, p in patterns]
    deny = _deny(deny)
    findings, next_pattern = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        while next_pattern < len(patterns) and patterns[next_pattern][0] == number:
            findings.append(Finding(name, number, patterns[next_pattern][1]))
            next_pattern += 1
        if _names_in(line, deny):
            findings.append(Finding(name, number, "nama_warga"))
    return findings


def _scan_value(name: str, where: str, text: str, deny: set[str]) -> list[Finding]:
    found = [Finding(name, 0, p, where) for p in _patterns_in(text)]
    if _names_in(text, deny):
        found.append(Finding(name, 0, "nama_warga", where))
    return found


def scan_json(name: str, data, deny: set[str], path: str = "$") -> list[Finding]:
    """Every key and value of a JSON document; declared metadata recognised by key and format."""
    deny = _deny(deny) if deny else deny
    out: list[Finding] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _scan_value(name, f"{path} (kunci)", str(key), deny)
            declared = DECLARED.get(key)
            if isinstance(value, str) and declared is not None and declared.fullmatch(value):
                continue
            if key == "title" and isinstance(value, str) and ".sources[" in path:
                value = REFERENCE_DATE.sub("tanggal referensi", value)
            if path == "$.satudata" and key == "kontak" and isinstance(value, str):
                # The OPD's role address (Satu Data metadata), checked when a walidata set it:
                # an e-mail is expected here and only here; everything else is still looked for.
                out += [f for f in scan_json(name, value, deny, f"{path}.{key}") if f.pattern != "email"]
                continue
            out += scan_json(name, value, deny, f"{path}.{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out += scan_json(name, item, deny, f"{path}[{i}]")
    elif data is not None and not isinstance(data, bool):
        out += _scan_value(name, path, str(data), deny)
    return out


def scan_xlsx(name: str, content: bytes, deny: set[str]) -> list[Finding]:
    """An XLSX: every cell value and sheet name, and the raw XML of every part."""
    from openpyxl import load_workbook

    deny = _deny(deny) if deny else deny
    out: list[Finding] = []
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    for sheet in book.worksheets:
        out += _scan_value(name, f"lembar {sheet.title} (nama)", sheet.title, deny)
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    out += _scan_value(name, f"lembar {sheet.title} baris {r} kolom {c}",
                                       _cell_text(value), deny)
    book.close()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part in archive.namelist():
            xml = archive.read(part).decode("utf-8", errors="replace")
            if part == "docProps/core.xml":
                xml = CORE_XML_TIMES.sub(r"\1\3", xml)
            out += [Finding(name, f.line, f.pattern, f"XML {part} baris {f.line}")
                    for f in scan_text(name, xml, deny=deny)]
    return out


def _cell_text(value) -> str:
    # A float that holds a 16-digit number prints in exponent form: keep both readings.
    if isinstance(value, float):
        return f"{value!r} {value:.0f}"
    return str(value)


def scan_release(files: dict[str, bytes], deny_names: set[str]) -> list[Finding]:
    """Every file that would be published (csv, json, xlsx, zip members) and every file name."""
    out: list[Finding] = []
    deny_names = _deny(deny_names)  # the words of every name gathered once, not per line
    for path, content in files.items():
        out += _scan_value(path, "nama berkas", path, deny_names)
        out += _scan_file(path, content, deny_names)
    return out


def _scan_file(path: str, content: bytes, deny: set[str]) -> list[Finding]:
    lower = path.lower()
    if lower.endswith(".zip"):
        out = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                inner = f"{path}!{member}"
                out += _scan_value(inner, "nama berkas", member, deny)
                out += _scan_file(inner, archive.read(member), deny)
        return out
    if lower.endswith(".xlsx"):
        return scan_xlsx(path, content, deny)
    text = content.decode("utf-8", errors="replace")
    if lower.endswith(".json"):
        try:
            return scan_json(path, json.loads(text), deny)
        except json.JSONDecodeError:
            pass  # not valid JSON: scanned as plain text below
    return scan_text(path, text, deny=deny)


def scan_files(files: dict[str, bytes], allow: dict[str, set[str]] | None = None) -> list[Finding]:
    """Plain-text scan of every file (the call sites before the release scan existed)."""
    allow = allow or {}
    findings: list[Finding] = []
    for name, content in files.items():
        if name.lower().endswith(".json") and not allow.get(name):
            findings += _scan_file(name, content, set())
            continue
        text = content.decode("utf-8", errors="replace")
        findings.extend(scan_text(name, text, allow.get(name, set())))
    return findings


def assert_clean(files: dict[str, bytes], allow: dict[str, set[str]] | None = None) -> None:
    """Raise PersonalDataFound when any file looks like it carries personal data."""
    findings = scan_files(files, allow)
    if findings:
        raise PersonalDataFound(findings)
