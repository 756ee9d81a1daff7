"""Password rules: long enough, not a common password, not made of the account's own e-mail or name.

The common passwords are the 10,000 most frequent of zxcvbn's list (MIT; see
data/LICENSE-common-passwords.txt), read from the package, never from the network.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_PASSWORD = 10
MIN_DISTINCT = 5
# What must be left once the e-mail's and the name's words are taken out (letters and digits).
MIN_OWN_PART = 6
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, lower case."""
    return frozenset(line.strip().lower() for line in COMMON_FILE.read_text(encoding="utf-8").splitlines()
                     if line.strip())


def _core(password: str) -> str:
    """The password without leading and trailing digits and punctuation ("Password2026!" -> "password")."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password.lower())


def _personal_words(email: str, name: str) -> list[str]:
    """Words of the e-mail address (local part and domain) and the name, three letters or more."""
    words = re.split(r"[\W_]+", f"{email} {name}".lower())
    return sorted({w for w in words if len(w) >= 3}, key=len, reverse=True)


def _without(password: str, words: list[str]) -> str:
    """The letters and digits of ``password`` left after taking out every one of ``words``."""
    rest = password.lower()
    for word in words:
        rest = rest.replace(word, "")
    return re.sub(r"[\W_]+", "", rest)


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is refused for this account, or None when it will do."""
    if len(password) < MIN_PASSWORD:
        return _("Kata sandi minimal %(n)s karakter.", n=MIN_PASSWORD)
    if len(set(password)) < MIN_DISTINCT:
        return _("Kata sandi terlalu sedikit memakai karakter yang berbeda.")
    lowered = password.lower()
    if lowered in common_passwords() or _core(password) in common_passwords():
        return _("Kata sandi ini termasuk kata sandi yang paling sering dipakai; pilih yang lain.")
    bare = _without(password, [])
    if bare in _without(email, []) or bare in _without(name, []) \
            or len(_without(password, _personal_words(email, name))) < MIN_OWN_PART:
        return _("Kata sandi tidak boleh dibentuk dari e-mail atau nama Anda.")
    return None
