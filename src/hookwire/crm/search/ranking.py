"""PostgreSQL's ``ts_rank`` and ``ts_rank_cd``, computed in Python for SQLite.

A port of ``src/backend/utils/adt/tsrank.c`` for what search asks of it: documents whose
lexemes all weigh D (0.1) and carry positions, queries of prefix terms under AND and OR, no
normalization. Arithmetic that PostgreSQL does in single precision is rounded to single
precision here step by step, so both backends give the same ranks for the same document.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from hookwire.crm.search.terms import SearchQuery

_SINGLE = struct.Struct("f")


def f32(value: float) -> float:
    """``value`` rounded to single precision (a C ``float``)."""
    return _SINGLE.unpack(_SINGLE.pack(value))[0]


def as_real(value: float) -> float:
    """``value`` as PostgreSQL prints a ``real``: the shortest decimal that reads back as the
    same single-precision number (``0.06079271``), so both backends show identical ranks."""
    single = f32(value)
    for digits in range(1, 10):
        shortest = float(f"{single:.{digits}g}")
        if f32(shortest) == single:
            return shortest
    return single


_WEIGHT = f32(0.1)  # every lexeme weighs D
_INVERSE_WEIGHT = 1.0 / _WEIGHT


@dataclass(frozen=True)
class RankQuery:
    """A tsquery of prefix ``terms``: satisfied when every term of any one of ``groups`` (term
    indexes) is present. Search builds only these shapes: a term, an AND of terms, an OR of
    those; ``top_is_and`` says whether the tree's root is an AND."""

    terms: tuple[str, ...]
    groups: tuple[frozenset[int], ...]

    @classmethod
    def of(cls, query: SearchQuery, *, all_words: bool) -> RankQuery:
        """The query ``query.tsquery(all_words=...)`` spells, terms numbered left to right."""
        words = (query.parts,) if all_words else query.words
        groups, start = [], 0
        for word in words:
            groups.append(frozenset(range(start, start + len(word))))
            start += len(word)
        return cls(query.parts, tuple(groups))

    @property
    def top_is_and(self) -> bool:
        return len(self.groups) == 1 and len(self.groups[0]) > 1

    def holds(self, present: set[int]) -> bool:
        return any(group <= present for group in self.groups)


class Document:
    """A document's lexemes in byte order, each with its positions (``terms`` numbered 1..n)."""

    def __init__(self, terms: list[str]) -> None:
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(terms, start=1):
            positions.setdefault(term, []).append(position)
        self.entries = sorted(positions.items())

    def matching(self, prefix: str) -> list[list[int]]:
        """The positions of each lexeme starting with ``prefix``, in lexeme order."""
        return [positions for lexeme, positions in self.entries if lexeme.startswith(prefix)]


def _word_distance(distance: int) -> float:
    if distance > 100:
        return f32(1e-30)
    return f32(1.0 / (1.005 + 0.05 * math.exp(f32(distance) / 1.5 - 2)))


def _rank_or(document: Document, terms: list[str]) -> float:
    result = 0.0
    for term in terms:
        for positions in document.matching(term):
            # All weights are equal, so the heaviest occurrence is the first (jm = 0).
            partial = 0.0
            for j in range(len(positions)):
                partial = f32(partial + f32(_WEIGHT / ((j + 1) * (j + 1))))
            heaviest = _WEIGHT
            # 1.64493406685 is pi^2 / 6, the sum of the series 1 / j^2.
            result = f32(result + f32(f32(heaviest + partial) - heaviest) / 1.64493406685)
    return f32(result / len(terms)) if terms else result


def _rank_and(document: Document, terms: list[str]) -> float:
    if len(terms) < 2:
        return _rank_or(document, terms)
    result = -1.0
    # As tsrank.c, each term pairs with the last matching lexeme of every earlier term.
    last: list[list[int] | None] = [None] * len(terms)
    for i, term in enumerate(terms):
        for positions in document.matching(term):
            last[i] = positions
            for earlier in last[:i]:
                for position in positions if earlier is not None else ():
                    for other in earlier:
                        distance = abs(position - other)
                        if distance == 0:
                            continue
                        pair = f32(f32(_WEIGHT * _WEIGHT) * _word_distance(distance))
                        weight = f32(math.sqrt(pair))
                        result = (
                            weight if result < 0 else f32(1.0 - (1.0 - result) * (1.0 - weight))
                        )
    return result


def ts_rank(document: Document, query: RankQuery) -> float:
    """``ts_rank(vector, query)``: frequency of the query's terms, or for a top-level AND the
    proximity of each pair of them."""
    if not document.entries:
        return 0.0
    terms = sorted(set(query.terms))
    result = _rank_and(document, terms) if query.top_is_and else _rank_or(document, terms)
    return f32(1e-20) if result < 0 else result


def _representation(document: Document, query: RankQuery) -> list[tuple[int, set[int]]]:
    """The positions where query terms match, each with the terms (indexes) it satisfies."""
    at: dict[int, set[int]] = {}
    for index, term in enumerate(query.terms):
        for positions in document.matching(term):
            for position in positions:
                at.setdefault(position, set()).add(index)
    return sorted(at.items())


def _covers(representation: list[tuple[int, set[int]]], query: RankQuery):
    """The shortest extents satisfying ``query``, left to right: (first index, last index)."""
    start = 0
    while start < len(representation):
        present: set[int] = set()
        end = None
        for index in range(start, len(representation)):
            present |= representation[index][1]
            if query.holds(present):
                end = index
                break
        if end is None:
            return
        present = set()
        begin = end
        for index in range(end, start - 1, -1):
            present |= representation[index][1]
            if query.holds(present):
                begin = index
                break
        yield begin, end
        start = begin + 1


def ts_rank_cd(document: Document, query: RankQuery) -> float:
    """``ts_rank_cd(vector, query)``: cover density, the shorter each cover the better."""
    representation = _representation(document, query)
    total = 0.0
    for begin, end in _covers(representation, query):
        inverse_sum = 0.0
        for _ in range(begin, end + 1):
            inverse_sum += _INVERSE_WEIGHT
        density = (end - begin + 1) / inverse_sum
        first, last = representation[begin][0], representation[end][0]
        noise = (last - first) - (end - begin)
        if noise < 0:
            noise = (end - begin) // 2
        total += density / (1 + noise)
    return f32(total)


class Ranker:
    """Ranks documents for one search query: (tsRankCD, tsRank) in single precision, the cover
    density of the AND query and the rank of the OR one.

    Ranks depend only on where the query's terms match, so they are kept by that shape: most
    documents of a search share a few (every address has ``example`` at the same position).
    """

    def __init__(self, query: SearchQuery) -> None:
        self.and_query = RankQuery.of(query, all_words=True)
        self.or_query = RankQuery.of(query, all_words=False)
        self.prefixes = tuple(sorted(set(query.parts)))
        self.known: dict[tuple, tuple[float, float]] = {}

    def _shape(self, terms: list[str]) -> tuple:
        """Per matching lexeme, in lexeme order: the query terms it matches, its positions."""
        hits = sorted(
            (term, position)
            for position, term in enumerate(terms, start=1)
            if term.startswith(self.prefixes)
        )
        lexemes = tuple(
            (
                tuple(prefix for prefix in self.prefixes if lexeme.startswith(prefix)),
                tuple(position for _, position in group),
            )
            for lexeme, group in groupby(hits, key=itemgetter(0))
        )
        return (bool(terms), *lexemes)

    def ranks(self, terms: list[str]) -> tuple[float, float]:
        shape = self._shape(terms)
        if shape not in self.known:
            document = Document(terms)
            self.known[shape] = (
                ts_rank_cd(document, self.and_query),
                ts_rank(document, self.or_query),
            )
        return self.known[shape]
