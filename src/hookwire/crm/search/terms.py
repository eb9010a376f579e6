"""What a record's search document holds, and what a search input asks for.

Text becomes terms the same way everywhere: NFKD-decomposed, case-folded, accents (nonspacing
marks) dropped, then split on anything that is not a letter, digit or spacing mark. An e-mail
address or URL therefore matches by its parts (``lovelace`` finds ada@lovelace.example), and
both backends index exactly these terms, so they agree on what matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hookwire.crm.catalog import ObjectSpec

# A document keeps its first 200 terms: positions stay below PostgreSQL's limits (16,383, and
# 256 per lexeme) and ranking a document stays cheap. Terms longer than 255 characters are
# cut (a lexeme may hold at most 2,047 bytes).
MAX_TERMS = 200
MAX_TERM_LENGTH = 255
# A search input's terms beyond the 32nd are ignored.
MAX_QUERY_TERMS = 32

# The fields whose values make a record's document (Twenty's SEARCH_FIELDS_FOR_PERSON and
# SEARCH_FIELDS_FOR_COMPANY); other objects use their label-identifier field.
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("name", "emails", "phones", "jobTitle"),
    "company": ("name", "domainName"),
}

COMPOSITE_TYPES = frozenset({"FULL_NAME", "EMAILS", "PHONES", "LINKS"})
_URL_PREFIX = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?", re.IGNORECASE)
_NOT_DIGIT = re.compile(r"\D")


def words(text: str) -> list[str]:
    """``text`` as normalized terms: ``"Ada  Lovelace-Byron"`` gives ada, lovelace, byron."""
    folded = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        folded.append(char if category[0] in "LN" or category == "Mc" else " ")
    return [word[:MAX_TERM_LENGTH] for word in "".join(folded).split()]


def search_field_names(name_singular: str, label_identifier: str | None) -> tuple[str, ...]:
    """The fields feeding an object's documents, in the order their terms are numbered."""
    if name_singular in SEARCH_FIELDS:
        return SEARCH_FIELDS[name_singular]
    return (label_identifier,) if label_identifier else ()


def _phone_texts(phone: dict[str, Any], number_key: str, code_key: str) -> list[str]:
    """A phone number as one term of its digits, and one with its calling code in front
    (``+33``, ``06 12 34 56 78`` give 0612345678 and 33612345678)."""
    digits = _NOT_DIGIT.sub("", str(phone.get(number_key) or ""))
    if not digits:
        return []
    code = _NOT_DIGIT.sub("", str(phone.get(code_key) or ""))
    return [digits, code + digits.lstrip("0")] if code else [digits]


def _url_text(url: Any) -> str:
    """A link without its scheme and ``www.``, as Twenty's logos and PostgreSQL's URL parser
    see it: ``https://www.engines.example/about`` searches as engines, example, about."""
    return _URL_PREFIX.sub("", str(url or ""))


def field_texts(field_type: str, value: Any) -> list[str]:
    """The texts a value of ``field_type`` contributes to a document, in order."""
    if value is None or (field_type in COMPOSITE_TYPES) != isinstance(value, dict):
        return []
    match field_type:
        case "FULL_NAME":
            return [str(value.get("firstName") or ""), str(value.get("lastName") or "")]
        case "EMAILS":
            return [
                str(value.get("primaryEmail") or ""),
                *map(str, value.get("additionalEmails") or ()),
            ]
        case "PHONES":
            texts = _phone_texts(value, "primaryPhoneNumber", "primaryPhoneCallingCode")
            for extra in value.get("additionalPhones") or ():
                if isinstance(extra, dict):
                    texts += _phone_texts(extra, "number", "callingCode")
            return texts
        case "LINKS":
            secondary = [
                link.get("url")
                for link in value.get("secondaryLinks") or ()
                if isinstance(link, dict)
            ]
            return [_url_text(url) for url in (value.get("primaryLinkUrl"), *secondary)]
    return [] if isinstance(value, list) else [str(value)]


def document_terms(values: Iterable[tuple[str, Any]]) -> list[str]:
    """The terms of a document made of ``(field type, value)`` pairs, in field order."""
    terms: list[str] = []
    for field_type, value in values:
        for text in field_texts(field_type, value):
            terms += words(text)
    return terms[:MAX_TERMS]


def vector_text(terms: list[str]) -> str:
    """The terms as PostgreSQL prints the tsvector they make: lexemes in byte order, each with
    its 1-based positions (``'ada':1 'lovelace':2``). Terms hold no quotes or backslashes."""
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(terms, start=1):
        positions.setdefault(term, []).append(position)
    return " ".join(f"'{term}':{','.join(map(str, positions[term]))}" for term in sorted(positions))


@dataclass(frozen=True)
class SearchQuery:
    """A search input: each whitespace-separated word as its normalized parts.

    Every part is a prefix. The AND query wants every part of every word; the OR query wants
    every part of any one word (Twenty's ``formatSearchTerms`` with ``and`` and ``or``).
    """

    words: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, text: str) -> SearchQuery:
        groups: list[tuple[str, ...]] = []
        room = MAX_QUERY_TERMS
        for word in text.split():
            parts = tuple(words(word))[:room]
            if parts:
                groups.append(parts)
                room -= len(parts)
            if not room:
                break
        return cls(tuple(groups))

    @property
    def is_empty(self) -> bool:
        return not self.words

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for word in self.words for part in word)

    @property
    def is_single_word(self) -> bool:
        """Whether the AND and OR queries are the same query."""
        return len(self.words) == 1

    def tsquery(self, *, all_words: bool) -> str:
        """The AND (``all_words``) or OR query as tsquery text: ``'ada':* & 'love':*``."""
        if all_words:
            return " & ".join(f"'{part}':*" for part in self.parts)
        groups = [" & ".join(f"'{part}':*" for part in word) for word in self.words]
        if len(groups) == 1:
            return groups[0]
        return " | ".join(f"( {group} )" if "&" in group else group for group in groups)

    def fts5(self, *, all_words: bool) -> str:
        """The AND or OR query as an FTS5 expression: ``"ada"* AND "love"*``."""
        if all_words:
            return " AND ".join(f'"{part}"*' for part in self.parts)
        groups = [" AND ".join(f'"{part}"*' for part in word) for word in self.words]
        return " OR ".join(f"({group})" for group in groups)


def record_terms(spec: ObjectSpec, record: dict[str, Any]) -> list[str]:
    """The terms of an API-shaped record of ``spec`` (what ``record_output`` gives)."""
    identifier = spec.label_identifier
    sources = []
    for name in search_field_names(spec.name_singular, identifier.name if identifier else None):
        field = spec.field_named(name)
        if field is not None:
            sources.append((field.type.value, record.get(field.storage_name)))
    return document_terms(sources)


def search_vector_text(spec: ObjectSpec, record: dict[str, Any]) -> str:
    """What a record's ``searchVector`` field shows: its document as tsvector text, the same
    on both backends (``'ada':1 'lovelace':2``)."""
    return vector_text(record_terms(spec, record))
