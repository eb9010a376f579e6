"""The standard objects every workspace starts with (Twenty's names, types and options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hookwire.crm.field_types import FieldType as T


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    label: str
    type: T
    is_nullable: bool = True
    default_value: Any = None
    options: list[dict[str, Any]] | None = None
    settings: dict[str, Any] | None = None
    description: str | None = None


@dataclass(frozen=True)
class ObjectDefinition:
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    fields: tuple[FieldDefinition, ...] = field(default_factory=tuple)
    description: str | None = None


def options(*values: str) -> list[dict[str, Any]]:
    """SELECT options in Twenty's shape, labelled from their values."""
    colors = ("blue", "green", "orange", "purple", "red", "sky", "turquoise", "yellow")
    return [
        {
            "id": f"option-{value.lower()}",
            "value": value,
            "label": value.replace("_", " ").title(),
            "position": position,
            "color": colors[position % len(colors)],
        }
        for position, value in enumerate(values)
    ]


def relation(target: str) -> dict[str, Any]:
    return {"relationType": "MANY_TO_ONE", "targetObject": target}


# Every object, standard or custom, has these; their values live in typed columns.
SYSTEM_FIELDS: tuple[FieldDefinition, ...] = (
    FieldDefinition("id", "Id", T.UUID, is_nullable=False),
    FieldDefinition("createdAt", "Creation date", T.DATE_TIME, is_nullable=False),
    FieldDefinition("updatedAt", "Last update", T.DATE_TIME, is_nullable=False),
    FieldDefinition("deletedAt", "Deleted", T.DATE_TIME),
    FieldDefinition("position", "Position", T.POSITION, is_nullable=False),
)
SYSTEM_FIELD_NAMES = frozenset(f.name for f in SYSTEM_FIELDS)

STANDARD_OBJECTS: tuple[ObjectDefinition, ...] = (
    ObjectDefinition(
        "company",
        "companies",
        "Company",
        "Companies",
        (
            FieldDefinition("name", "Name", T.TEXT, default_value=""),
            FieldDefinition("domainName", "Domain Name", T.LINKS),
            FieldDefinition("employees", "Employees", T.NUMBER),
            FieldDefinition("address", "Address", T.ADDRESS),
            FieldDefinition("annualRecurringRevenue", "ARR", T.CURRENCY),
            FieldDefinition("idealCustomerProfile", "ICP", T.BOOLEAN, default_value=False),
            FieldDefinition("linkedinLink", "Linkedin", T.LINKS),
        ),
        description="A company",
    ),
    ObjectDefinition(
        "person",
        "people",
        "Person",
        "People",
        (
            FieldDefinition("name", "Name", T.FULL_NAME),
            FieldDefinition("emails", "Emails", T.EMAILS),
            FieldDefinition("phones", "Phones", T.PHONES),
            FieldDefinition("jobTitle", "Job Title", T.TEXT, default_value=""),
            FieldDefinition("city", "City", T.TEXT, default_value=""),
            FieldDefinition("linkedinLink", "Linkedin", T.LINKS),
            FieldDefinition("company", "Company", T.RELATION, settings=relation("company")),
        ),
        description="A person",
    ),
    ObjectDefinition(
        "opportunity",
        "opportunities",
        "Opportunity",
        "Opportunities",
        (
            FieldDefinition("name", "Name", T.TEXT, default_value=""),
            FieldDefinition("amount", "Amount", T.CURRENCY),
            FieldDefinition("closeDate", "Close date", T.DATE_TIME),
            FieldDefinition(
                "stage",
                "Stage",
                T.SELECT,
                default_value="NEW",
                options=options("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"),
            ),
            FieldDefinition("company", "Company", T.RELATION, settings=relation("company")),
            FieldDefinition(
                "pointOfContact", "Point of Contact", T.RELATION, settings=relation("person")
            ),
        ),
        description="An opportunity",
    ),
    ObjectDefinition(
        "note",
        "notes",
        "Note",
        "Notes",
        (
            FieldDefinition("title", "Title", T.TEXT, default_value=""),
            FieldDefinition("body", "Body", T.RICH_TEXT),
        ),
        description="A note",
    ),
    ObjectDefinition(
        "task",
        "tasks",
        "Task",
        "Tasks",
        (
            FieldDefinition("title", "Title", T.TEXT, default_value=""),
            FieldDefinition("body", "Body", T.RICH_TEXT),
            FieldDefinition("dueAt", "Due Date", T.DATE_TIME),
            FieldDefinition(
                "status",
                "Status",
                T.SELECT,
                default_value="TODO",
                options=options("TODO", "IN_PROGRESS", "DONE"),
            ),
        ),
        description="A task",
    ),
)
