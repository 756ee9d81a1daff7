"""Scan what would be published for anything that looks like personal data."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Fail closed: any 16-digit run, separators allowed, is treated as a NIK or No. KK.
PATTERNS: dict[str, re.Pattern] = {
    "nik_or_kk": re.compile(r"(?<![\dA-Za-z])\d(?:[ .\-]?\d){15}(?![\dA-Za-z])"),
    "excel_nik": re.compile(r"\d\.\d+E\+1[45]", re.IGNORECASE),
    "phone": re.compile(r"(?<!\d)(?:\+?62|0)8[1-9]\d{6,10}(?!\d)"),
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "rt_rw": re.compile(r"RT\.?\s*\d{1,3}\s*/\s*RW\.?\s*\d{1,3}", re.IGNORECASE),
    "date": re.compile(r"(?<!\d)\d{1,2}[-/]\d{1,2}[-/](?:19|20)\d{2}(?!\d)"),
}


@dataclass(frozen=True)
class Finding:
    """A suspicious match: which file, which line, which pattern; not the match itself."""

    file: str
    line: int
    pattern: str

    def __str__(self) -> str:
        return f"{self.file} baris {self.line}: pola {self.pattern}"


class PersonalDataFound(Exception):
    """The output scan found something shaped like personal data; nothing is published."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("pemindaian keluaran menemukan pola data pribadi: "
                         + "; ".join(str(f) for f in findings[:10]))


def scan_text(name: str, text: str, allow: set[str] = frozenset()) -> list[Finding]:
    """Findings in one text file; ``allow`` names patterns legitimately present (e.g. contact e-mail)."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, regex in PATTERNS.items():
            if pattern not in allow and regex.search(line):
                findings.append(Finding(name, number, pattern))
    return findings


def scan_files(files: dict[str, bytes], allow: dict[str, set[str]] | None = None) -> list[Finding]:
    """Scan every text file of a release; binary files are scanned as their text parts."""
    allow = allow or {}
    findings: list[Finding] = []
    for name, content in files.items():
        text = content.decode("utf-8", errors="replace")
        findings.extend(scan_text(name, text, allow.get(name, set())))
    return findings


def assert_clean(files: dict[str, bytes], allow: dict[str, set[str]] | None = None) -> None:
    """Raise PersonalDataFound when any file looks like it carries personal data."""
    findings = scan_files(files, allow)
    if findings:
        raise PersonalDataFound(findings)
