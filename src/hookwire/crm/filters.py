"""Parsers for the REST query language: ``filter`` and ``order_by`` (Twenty's grammar).

``filter=and(name.firstName[eq]:Ada,or(city[eq]:Paris,city[in]:[Lyon,"Nice"]))``; a list
without ``and(...)`` around it means ``and``. ``order_by=name.lastName[DescNullsLast],createdAt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hookwire.errors import BadRequest


class Comparator(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    IN = "in"
    CONTAINS_ANY = "containsAny"
    IS = "is"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    STARTS_WITH = "startsWith"
    ENDS_WITH = "endsWith"
    LIKE = "like"
    ILIKE = "ilike"
    SEARCH = "search"  # full-text, on searchVector only


class Direction(StrEnum):
    ASC_NULLS_FIRST = "AscNullsFirst"
    ASC_NULLS_LAST = "AscNullsLast"
    DESC_NULLS_FIRST = "DescNullsFirst"
    DESC_NULLS_LAST = "DescNullsLast"

    @property
    def ascending(self) -> bool:
        return self.value.startswith("Asc")

    @property
    def nulls_first(self) -> bool:
        return self.value.endswith("NullsFirst")


@dataclass(frozen=True)
class Condition:
    field: str
    comparator: Comparator
    value: str | list[str]


@dataclass(frozen=True)
class Conjunction:
    operator: str  # "and" | "or" | "not"
    operands: tuple[FilterNode, ...]


FilterNode = Condition | Conjunction


@dataclass(frozen=True)
class OrderKey:
    field: str
    direction: Direction


_CONJUNCTIONS = ("and", "or", "not")
_LIST_ONLY = (Comparator.IN, Comparator.CONTAINS_ANY)

# Bounds on one filter and one sort, the same for REST and GraphQL; SQLite refuses expressions
# nested more than 1,000 deep, which a flat OR of n conditions already is n deep.
MAX_FILTER_DEPTH = 16  # and/or/not levels
MAX_FILTER_CONDITIONS = 200
MAX_FILTER_VALUES = 1_000  # items in one [in] or [containsAny] list
MAX_ORDER_KEYS = 16


def too_deep(what: str) -> BadRequest:
    return BadRequest(
        f"{what}: and/or/not nested more than {MAX_FILTER_DEPTH} levels deep; "
        f"the limit is {MAX_FILTER_DEPTH}"
    )


def check_filter_bounds(node: FilterNode, what: str = "filter") -> FilterNode:
    """Refuse a filter nested more than ``MAX_FILTER_DEPTH`` levels, with more than
    ``MAX_FILTER_CONDITIONS`` conditions or a list of more than ``MAX_FILTER_VALUES`` values.
    Iterative, so a tree of any depth is measured without recursion."""
    conditions = 0
    stack: list[tuple[FilterNode, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, Condition):
            conditions += 1
            if isinstance(current.value, list) and len(current.value) > MAX_FILTER_VALUES:
                raise BadRequest(
                    f"{what}: '{current.field}[{current.comparator}]' lists "
                    f"{len(current.value)} values; the limit is {MAX_FILTER_VALUES}"
                )
            continue
        if depth >= MAX_FILTER_DEPTH:
            raise too_deep(what)
        stack.extend((operand, depth + 1) for operand in current.operands)
    if conditions > MAX_FILTER_CONDITIONS:
        raise BadRequest(
            f"{what}: {conditions} conditions; the limit is {MAX_FILTER_CONDITIONS} per filter"
        )
    return node


def check_order_bounds(count: int, what: str = "order_by") -> None:
    if count > MAX_ORDER_KEYS:
        raise BadRequest(f"{what}: {count} sort keys; the limit is {MAX_ORDER_KEYS}")


def parse_filter(text: str) -> FilterNode:
    parser = _FilterParser(text)
    nodes = parser.parse_list()
    if parser.pos != len(text):
        parser.fail("unexpected character")
    node = nodes[0] if len(nodes) == 1 else Conjunction("and", tuple(nodes))
    return check_filter_bounds(node)


class _FilterParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.conditions = 0

    def fail(self, problem: str) -> None:
        near = self.text[self.pos : self.pos + 20] or "end of input"
        raise BadRequest(
            f"filter: {problem} at position {self.pos} (near '{near}'); expected "
            "field[comparator]:value, e.g. name.firstName[eq]:Ada, or and(...), or(...), not(...)"
        )

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected '{char}'")
        self.pos += 1

    def parse_list(self) -> list[FilterNode]:
        nodes = [self.parse_node()]
        while self.peek() == ",":
            self.pos += 1
            nodes.append(self.parse_node())
        return nodes

    def parse_node(self) -> FilterNode:
        while self.peek() == " ":
            self.pos += 1
        for operator in _CONJUNCTIONS:
            if self.text.startswith(operator + "(", self.pos):
                self.pos += len(operator) + 1
                self.depth += 1
                if self.depth > MAX_FILTER_DEPTH:
                    raise too_deep("filter")
                operands = self.parse_list()
                self.expect(")")
                self.depth -= 1
                if operator == "not" and len(operands) > 1:
                    operands = [Conjunction("and", tuple(operands))]
                return Conjunction(operator, tuple(operands))
        return self.parse_condition()

    def parse_condition(self) -> Condition:
        self.conditions += 1
        if self.conditions > MAX_FILTER_CONDITIONS:
            raise BadRequest(
                f"filter: more than {MAX_FILTER_CONDITIONS} conditions; the limit is "
                f"{MAX_FILTER_CONDITIONS} per filter"
            )
        start = self.pos
        while self.peek() not in ("[", "", ",", ")"):
            self.pos += 1
        field = self.text[start : self.pos].strip()
        if not field:
            self.fail("missing field name")
        self.expect("[")
        end = self.text.find("]", self.pos)
        if end < 0:
            self.fail("unclosed '['")
        name = self.text[self.pos : end]
        try:
            comparator = Comparator(name)
        except ValueError:
            allowed = ", ".join(c.value for c in Comparator)
            raise BadRequest(
                f"filter: unknown comparator '{name}' on '{field}'; expected one of {allowed}"
            ) from None
        self.pos = end + 1
        self.expect(":")
        value = self.parse_value()
        if comparator in _LIST_ONLY and not isinstance(value, list):
            raise BadRequest(
                f"filter: '{field}[{comparator}]' expects a list such as [a,b], got '{value}'"
            )
        return Condition(field, comparator, value)

    def parse_value(self) -> str | list[str]:
        if self.peek() == "[":
            self.pos += 1
            items: list[str] = []
            while self.peek() != "]":
                if not self.peek():
                    self.fail("unclosed '['")
                if len(items) == MAX_FILTER_VALUES:
                    raise BadRequest(
                        f"filter: a list of more than {MAX_FILTER_VALUES} values; the limit is "
                        f"{MAX_FILTER_VALUES}"
                    )
                items.append(self.parse_scalar(stops=",]"))
                if self.peek() == ",":
                    self.pos += 1
            self.pos += 1
            return items
        return self.parse_scalar(stops=",)")

    def parse_scalar(self, stops: str) -> str:
        if self.peek() == '"':
            end = self.pos + 1
            chars: list[str] = []
            while end < len(self.text) and self.text[end] != '"':
                if self.text[end] == "\\" and end + 1 < len(self.text):
                    end += 1
                chars.append(self.text[end])
                end += 1
            if end >= len(self.text):
                self.fail("unclosed quote")
            self.pos = end + 1
            return "".join(chars)
        start = self.pos
        while self.peek() and self.peek() not in stops:
            self.pos += 1
        return self.text[start : self.pos].strip()


def has_condition(node: FilterNode | None) -> bool:
    """Whether ``node`` says anything (``{}`` and ``{and: []}`` select every record)."""
    if node is None:
        return False
    if isinstance(node, Condition):
        return True
    return any(has_condition(operand) for operand in node.operands)


def mentions_field(node: FilterNode, name: str) -> bool:
    if isinstance(node, Condition):
        return node.field == name
    return any(mentions_field(operand, name) for operand in node.operands)


def parse_order_by(text: str) -> list[OrderKey]:
    keys: list[OrderKey] = []
    items = [part for part in (part.strip() for part in text.split(",")) if part]
    check_order_bounds(len(items))
    for item in items:
        field, _, rest = item.partition("[")
        direction = Direction.ASC_NULLS_FIRST
        if rest:
            if not rest.endswith("]"):
                raise BadRequest(f"order_by: unclosed '[' in '{item}'")
            try:
                direction = Direction(rest[:-1])
            except ValueError:
                allowed = ", ".join(d.value for d in Direction)
                raise BadRequest(
                    f"order_by: unknown direction '{rest[:-1]}' on '{field}'; "
                    f"expected one of {allowed}"
                ) from None
        keys.append(OrderKey(field.strip(), direction))
    if not keys:
        raise BadRequest("order_by: expected field[Direction],… e.g. name.lastName[AscNullsFirst]")
    return keys
