"""A small Indonesian stemmer for catalog search, applied alike at index and at query time.

Affix stripping in the spirit of Nazief-Adriani, without a root dictionary: the possessive
``-nya``, one derivational suffix (``-kan``, ``-an``, ``-i``) and up to three prefixes
(``ke-``, ``pe-``/``peN-``/``per-``, ``me-``/``meN-``, ``di-``, ``ber-``, ``ter-``, ``se-``).
Instead of a dictionary, a stem must keep at least two syllables, and the prefix-suffix
pairs Indonesian does not form (``ke-...-kan``, ``di-...-an``...) are refused. So
"kependudukan" and "penduduk" both become "duduk", "pendidikan" becomes "didik". The
stems need only be consistent, not linguistically perfect: the same rules run on both sides.
"""
from __future__ import annotations

import re

VOWELS = "aeiou"
_VOWEL_GROUP = re.compile(r"[aeiou]+")
_TOKEN = re.compile(r"[^\W_]+")
MIN_SYLLABLES = 2
MAX_PREFIXES = 3

# Words too common to help a search; dropped from documents and queries alike.
STOPWORDS = frozenset({
    "dan", "di", "ke", "dari", "yang", "per", "untuk", "atau", "dengan", "pada", "dalam", "oleh",
    "the", "of", "and", "by", "in", "for", "or", "to", "a", "an", "on",
})
# Prefix-suffix pairs that do not occur together in Indonesian (by the outer prefix's family).
DISALLOWED = frozenset({
    ("be", "i"), ("di", "an"), ("ke", "i"), ("ke", "kan"), ("me", "an"), ("se", "i"),
    ("se", "kan"), ("pe", "i"), ("pe", "kan"),
})
# -kan and -i only follow a verbal prefix; -an also forms nouns on its own (bantuan, tahunan).
NEEDS_PREFIX = frozenset({"kan", "i"})


def syllables(word: str) -> int:
    """Number of vowel groups, a good enough count of Indonesian syllables."""
    return len(_VOWEL_GROUP.findall(word))


def _strip_prefix(word: str) -> tuple[str, str, bool] | None:
    """(rest, family, recoded) for the word's outermost prefix, or None.

    ``recoded`` means a nasal replaced the root's first letter (menulis -> tulis); the
    restored letter is a guess, so no further prefix is stripped after it.
    """
    for nasal, family in (("me", "me"), ("pe", "pe")):
        if not word.startswith(nasal) or len(word) < 5:
            continue
        rest = word[2:]
        if rest.startswith("ny") and rest[2:3] in VOWELS:
            return "s" + rest[2:], family, True
        if rest.startswith("ng"):
            return rest[2:], family, False
        if rest.startswith("m") and rest[1:2] in VOWELS:
            return "p" + rest[1:], family, True
        if rest.startswith("m") and rest[1:2] in "bfpv":
            return rest[1:], family, False
        if rest.startswith("n") and rest[1:2] in VOWELS:
            return "t" + rest[1:], family, True
        if rest.startswith("n") and rest[1:2] in "cdjstz":
            return rest[1:], family, False
        if family == "pe" and rest.startswith("r"):
            return rest[1:], family, False
        return rest, family, False
    for prefix, family in (("ber", "be"), ("be", "be"), ("ter", "te"), ("di", "di"),
                           ("ke", "ke"), ("se", "se")):
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            return word[len(prefix):], family, False
    return None


def _strip_prefixes(word: str) -> tuple[str, str | None]:
    """The deepest stem that keeps two syllables, and the outermost prefix family removed."""
    stem, outer = word, None
    for _ in range(MAX_PREFIXES):
        found = _strip_prefix(stem)
        if found is None:
            break
        rest, family, recoded = found
        if syllables(rest) < MIN_SYLLABLES:
            break
        stem, outer = rest, outer or family
        if recoded:
            break
    return stem, outer


def stem(word: str) -> str:
    """The stem of one lower-case word; words that are short or not alphabetic stay as they are."""
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("nya") and syllables(word[:-3]) >= MIN_SYLLABLES:
        word = word[:-3]
    for suffix in ("kan", "an", "i"):
        if not word.endswith(suffix):
            continue
        base = word[: -len(suffix)]
        if syllables(base) < MIN_SYLLABLES:
            continue
        root, outer = _strip_prefixes(base)
        if outer is None and suffix in NEEDS_PREFIX:
            continue
        if outer is not None and (outer, suffix) in DISALLOWED:
            continue
        return root
    return _strip_prefixes(word)[0]


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without punctuation."""
    return _TOKEN.findall((text or "").lower())


def analyse(text: str) -> list[str]:
    """The stems of ``text`` as search indexes and queries use them (stopwords dropped)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS]
