"""PostgreSQL-style full text for datastore_search: a tsvector-like index per table, tsquery, rank.

CKAN's datastore keeps a ``_full_text`` tsvector per row (every column whose name does not
start with ``_``) and matches ``q`` with ``plainto_tsquery`` (``plain=true``, the default:
every word must occur) or ``to_tsquery`` (``plain=false``: ``& | ! ( ) <-> <N>`` and prefix
``word:*``), ranking with ``ts_rank(vector, query, 32)``
(ckanext/datastore/backend/postgres.py, ``_textsearch_query``).

Here each table's words are read once, into an inverted index (lexeme → rows, counts and
positions, as numpy arrays) kept with the table; a query is set operations on that index,
so its cost grows with the rows that match, not with rows × words. ``language`` chooses
how words become lexemes (``simple``: lower-cased words, PostgreSQL's ``simple``
configuration, the default; ``indonesian``: stems); an unknown one is refused as PostgreSQL
refuses an unknown configuration.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from portal.api import budget
from portal.api.errors import ValidationError
from portal.search.analysis import stem

# A word: letters and digits, joined by . - / (a code such as 51.02.01.2001 is one word).
WORD = re.compile(r"[^\W_]+(?:[.\-/][^\W_]+)*")
# Text search configurations: how a lower-cased word becomes a lexeme (indonesian: the
# catalog's Sastrawi stemmer, so "kependudukan" finds "penduduk" as on the search page).
LANGUAGES: dict[str, Callable[[str], str]] = {"simple": lambda word: word, "indonesian": stem}
DEFAULT_LANGUAGE = "simple"
# to_tsquery's tokens: operators, parentheses, quoted or bare lexemes with an optional :* / weights.
TSQUERY_TOKEN = re.compile(r"\s*(?:(?P<op>&|\||!|\(|\)|<->|<\d+>)|'(?P<quoted>(?:[^']|'')*)'"
                           r"|(?P<bare>[^\s&|!()<>':]+))(?P<suffix>:[*A-Da-d]+)?")
# ts_rank's word weight for unweighted lexemes (D) and its normalisation constant (pi^2/6).
WEIGHT_D = 0.1
ZETA_2 = 1.64493406685


@dataclass(frozen=True)
class Posting:
    """Where one lexeme occurs: rows (sorted), ts_rank's weight per row and positions per row."""

    rows: np.ndarray
    weights: np.ndarray
    positions: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class TextIndex:
    """The tsvector of every row of a table, inverted: lexeme → Posting; lexemes sorted."""

    postings: dict[str, Posting]
    lexemes: tuple[str, ...]
    size: int


@dataclass(frozen=True)
class Term:
    """A lexeme of a query, ``prefix`` for ``word:*``."""

    lexeme: str
    prefix: bool = False


@dataclass(frozen=True)
class Op:
    """An operator node: ``&``, ``|``, ``!`` (one operand) or ``<N>`` (phrase at distance N)."""

    name: str
    operands: tuple
    distance: int = 0


def normaliser(language: str | None) -> Callable[[str], str]:
    """The word → lexeme function of ``language``; 409 for a configuration that does not exist."""
    name = language or DEFAULT_LANGUAGE
    if name not in LANGUAGES:
        raise ValidationError({"query": ["Invalid query"], "info": {
            "orig": [f'text search configuration "{name}" does not exist']}})
    return LANGUAGES[name]


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased; a hyphenated word also gives its parts, as PostgreSQL's parser does."""
    found = []
    for word in WORD.findall(text.lower()):
        found.append(word)
        if "-" in word:
            found.extend(part for part in re.split(r"[.\-/]", word) if part)
    return found


def build_index(rows: Iterable[Sequence[str]], language: str | None) -> TextIndex:
    """Read every row's cells once into the inverted index (the table's tsvectors)."""
    lexeme_of = normaliser(language)
    found: dict[str, tuple[list[int], list[list[int]]]] = {}
    lexemes_of: dict[str, list[str]] = {}  # a table repeats its cells (desa names, categories)
    size = 0
    for row_number, cells in enumerate(rows):
        size = row_number + 1
        position = 0
        for cell in cells:
            lexemes = lexemes_of.get(cell)
            if lexemes is None:
                lexemes = lexemes_of[cell] = [lexeme_of(w) for w in words(cell)]
            for lexeme in lexemes:
                position += 1
                rows_, positions = found.setdefault(lexeme, ([], []))
                if rows_ and rows_[-1] == row_number:
                    positions[-1].append(position)
                else:
                    rows_.append(row_number)
                    positions.append([position])
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    postings = {}
    for lexeme, (rows_, positions) in found.items():
        kept = tuple(shared.setdefault(tuple(p), tuple(p)) for p in positions)
        counts = np.asarray([len(p) for p in kept], dtype=np.int32)
        postings[lexeme] = Posting(np.asarray(rows_, dtype=np.int32), _frequency(counts), kept)
    return TextIndex(postings, tuple(sorted(postings)), size)


def _frequency(counts: np.ndarray) -> np.ndarray:
    """ts_rank's calc_rank_or weight of a word seen ``count`` times in a row: the n-th
    occurrence adds 0.1/n^2, and the sum is divided by pi^2/6."""
    top = int(counts.max()) if len(counts) else 0
    table = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, top + 1, dtype=np.float64) ** 2)])
    return WEIGHT_D * table[counts] / ZETA_2


def _invalid(text: str) -> ValidationError:
    """PostgreSQL's tsquery syntax error, in CKAN's datastore envelope (409)."""
    return ValidationError({"query": ["Invalid query"], "info": {
        "orig": [f'syntax error in tsquery: "{text}"']}})


def plain_query(text: str, language: str | None) -> Op | Term | None:
    """plainto_tsquery: every word of ``text`` must occur (None when there is no word)."""
    lexeme_of = normaliser(language)
    terms = [Term(lexeme_of(w)) for w in dict.fromkeys(words(text))]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Op("&", tuple(terms))


def _tokens(text: str) -> list[tuple[str, object]]:
    """to_tsquery's tokens of ``text``: ("op", symbol) or ("term", (word, prefix))."""
    tokens, at = [], 0
    while at < len(text.rstrip()):
        match = TSQUERY_TOKEN.match(text, at)
        if not match or match.end() == at:
            raise _invalid(text)
        at = match.end()
        if match.group("op"):
            if match.group("suffix"):
                raise _invalid(text)
            tokens.append(("op", match.group("op")))
        else:
            word = match.group("quoted").replace("''", "'") if match.group("quoted") is not None \
                else match.group("bare")
            tokens.append(("term", (word, "*" in (match.group("suffix") or ""))))
    return tokens


class _Parser:
    """Recursive descent over to_tsquery's grammar: or := and ('|' and)*; and := not (('&'|'<N>') not)*."""

    def __init__(self, text: str, tokens: list, lexeme_of: Callable[[str], str]):
        """A parser over ``tokens`` of ``text``; ``lexeme_of`` normalises each word."""
        self.text, self.tokens, self.at, self.lexeme_of = text, tokens, 0, lexeme_of

    def peek(self) -> tuple | None:
        """The next token, or None at the end."""
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple:
        """Consume and return the next token; a syntax error at the end."""
        token = self.peek()
        if token is None:
            raise _invalid(self.text)
        self.at += 1
        return token

    def parse_or(self):
        """Alternatives joined by ``|``."""
        node = self.parse_and()
        while self.peek() == ("op", "|"):
            self.take()
            node = Op("|", (node, self.parse_and()))
        return node

    def parse_and(self):
        """Operands joined by ``&`` or a phrase operator."""
        node = self.parse_not()
        while self.peek() and self.peek()[0] == "op" and (self.peek()[1] == "&" or self.peek()[1].startswith("<")):
            symbol = self.take()[1]
            right = self.parse_not()
            if symbol == "&":
                node = Op("&", (node, right))
            else:
                node = Op("<>", (node, right), 1 if symbol == "<->" else int(symbol[1:-1]))
        return node

    def parse_not(self):
        """``!`` operand, a parenthesised query or a lexeme."""
        kind, value = self.take()
        if (kind, value) == ("op", "!"):
            return Op("!", (self.parse_not(),))
        if (kind, value) == ("op", "("):
            node = self.parse_or()
            if self.take() != ("op", ")"):
                raise _invalid(self.text)
            return node
        if kind != "term":
            raise _invalid(self.text)
        word, prefix = value
        parts = words(word)
        if not parts:
            raise _invalid(self.text)
        terms = [Term(self.lexeme_of(p), prefix) for p in parts]
        return terms[0] if len(terms) == 1 else Op("&", tuple(terms))


def tsquery(text: str, language: str | None) -> Op | Term | None:
    """to_tsquery: PostgreSQL's query syntax (plain=false); 409 Validation Error on a syntax error."""
    tokens = _tokens(text)
    if not tokens:
        return None
    parser = _Parser(text, tokens, normaliser(language))
    node = parser.parse_or()
    if parser.peek() is not None:
        raise _invalid(text)
    return node


def count_terms(node) -> int:
    """How many lexemes a parsed query holds."""
    if isinstance(node, Term):
        return 1
    return sum(count_terms(child) for child in node.operands) if node else 0


def _postings(index: TextIndex, term: Term) -> list[Posting]:
    """The postings a term reaches: its own, or every lexeme it is a prefix of."""
    if not term.prefix:
        found = index.postings.get(term.lexeme)
        return [found] if found is not None else []
    start = bisect.bisect_left(index.lexemes, term.lexeme)
    end = bisect.bisect_left(index.lexemes, term.lexeme + "\U0010ffff")
    return [index.postings[lexeme] for lexeme in index.lexemes[start:end]]


def _term_rows(index: TextIndex, term: Term) -> np.ndarray:
    """Sorted rows containing the term."""
    postings = _postings(index, term)
    if not postings:
        return np.empty(0, dtype=np.int32)
    if len(postings) == 1:
        return postings[0].rows
    return np.unique(np.concatenate([p.rows for p in postings]))


def _positions(index: TextIndex, term: Term, rows: set[int]) -> dict[int, set[int]]:
    """Positions of the term in each of ``rows``."""
    found: dict[int, set[int]] = {}
    for posting in _postings(index, term):
        for at, row in enumerate(posting.rows.tolist()):
            if row in rows:
                found.setdefault(row, set()).update(posting.positions[at])
        budget.check()
    return found


def _phrase(index: TextIndex, node: Op) -> np.ndarray:
    """Rows where the right lexeme follows the left one at the phrase's distance."""
    left, right = node.operands
    if not (isinstance(left, Term) and isinstance(right, Term)):
        raise ValidationError({"q": ["The phrase operator <-> joins words, not expressions"]})
    candidates = set(np.intersect1d(_term_rows(index, left), _term_rows(index, right), assume_unique=True).tolist())
    before, after = _positions(index, left, candidates), _positions(index, right, candidates)
    kept = sorted(row for row in candidates if {p + node.distance for p in before[row]} & after[row])
    return np.asarray(kept, dtype=np.int32)


def matching_rows(index: TextIndex, node) -> np.ndarray:
    """Sorted rows of the table that the parsed query matches."""
    budget.check()
    if isinstance(node, Term):
        return _term_rows(index, node)
    if node.name == "!":
        return np.setdiff1d(np.arange(index.size, dtype=np.int32), matching_rows(index, node.operands[0]),
                            assume_unique=True)
    if node.name == "<>":
        return _phrase(index, node)
    combine = (lambda a, b: np.intersect1d(a, b, assume_unique=True)) if node.name == "&" else np.union1d
    found = matching_rows(index, node.operands[0])
    for child in node.operands[1:]:
        found = combine(found, matching_rows(index, child))
    return found


def positive_terms(node, negated: bool = False) -> list[Term]:
    """The query's lexemes that are not under ``!`` (the ones ts_rank counts)."""
    if node is None:
        return []
    if isinstance(node, Term):
        return [] if negated else [node]
    inner = negated != (node.name == "!")
    return [t for child in node.operands for t in positive_terms(child, inner)]


def rank(index: TextIndex, node, rows: np.ndarray) -> np.ndarray:
    """ts_rank(vector, query, 32) of each row: word frequency as PostgreSQL's calc_rank_or
    weighs it (the n-th occurrence adds 0.1/n^2), averaged over the query's words, then
    normalised to rank/(rank+1). Equal to PostgreSQL's for one word and for ``|`` queries;
    for ``&`` of several words PostgreSQL weighs their proximity (calc_rank_and) instead."""
    terms = list(dict.fromkeys(positive_terms(node)))
    postings = [p for term in terms for p in _postings(index, term)]
    if not postings:
        return np.zeros(len(rows), dtype=np.float64)
    total = np.bincount(np.concatenate([p.rows for p in postings]),
                        weights=np.concatenate([p.weights for p in postings]), minlength=index.size)
    scores = total[rows] / max(1, len(terms))
    return scores / (scores + 1.0)
