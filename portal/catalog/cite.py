"""How to cite one published version: APA and BibTeX, pinned to the version's permanent URL."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.core.site import base_url

# Characters BibTeX/LaTeX read as commands; escaped so a title like "A & B" still compiles.
_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
          "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


@dataclass(frozen=True)
class Citation:
    """The citation of one version as of one access date."""

    apa: str
    bibtex: str
    url: str
    accessed: date


def permanent_url(name: str, version: str) -> str:
    """The version's permanent page (the same address the API and DCAT publish)."""
    return f"{base_url()}/dataset/{name}/version/{version}"


def _latex(text: str) -> str:
    return "".join(_LATEX.get(c, c) for c in text)


def _key(name: str, version: str, year: int) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{name}_{year}_v{version}").strip("_")


def today() -> date:
    """The access date: today in UTC, as every date on the portal."""
    return datetime.now(UTC).date()


def cite(*, name: str, title: str, version: str, published: datetime, author: str,
         publisher: str, accessed: date | None = None) -> Citation:
    """APA (7th edition, data set) and BibTeX for one version of a dataset."""
    accessed = accessed or today()
    url = permanent_url(name, version)
    locale = str(get_locale() or "id")
    when = format_date(accessed, format="long", locale=locale)
    apa = _("%(author)s. (%(year)s). %(title)s (Versi %(version)s) [Data set]. %(publisher)s. "
            "Diakses %(date)s, dari %(url)s",
            author=author, year=published.year, title=title, version=version,
            publisher=publisher, date=when, url=url)
    note = _("Versi %(version)s, diakses %(date)s", version=version, date=accessed.isoformat())
    fields = [
        ("author", "{" + _latex(author) + "}"),  # an institution: braces keep it one name
        ("title", "{" + _latex(title) + "}"),
        ("year", str(published.year)),
        ("version", version),
        ("publisher", _latex(publisher)),
        ("url", url),
        ("urldate", accessed.isoformat()),
        ("note", _latex(note)),
    ]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    bibtex = f"@misc{{{_key(name, version, published.year)},\n{body}\n}}"
    return Citation(apa=apa, bibtex=bibtex, url=url, accessed=accessed)
