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
    is_unique: bool = False


@dataclass(frozen=True)
class ObjectDefinition:
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    fields: tuple[FieldDefinition, ...] = field(default_factory=tuple)
    description: str | None = None
    label_identifier: str = "name"  # the field whose value names a record
    duplicate_criteria: tuple[tuple[str, ...], ...] | None = None


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


def relation(target: str, inverse: str) -> dict[str, Any]:
    """Settings of a many-to-one relation to ``target``, whose records list ours as ``inverse``."""
    return {"relationType": "MANY_TO_ONE", "targetObject": target, "targetFieldName": inverse}


def inverse_relation(source: str, field_name: str) -> dict[str, Any]:
    """Settings of the one-to-many side of ``source``'s relation ``field_name``."""
    return {"relationType": "ONE_TO_MANY", "targetObject": source, "targetFieldName": field_name}


# Every object, standard or custom, has these; their values live in typed columns or, for
# ``searchVector``, in the search index. Defaults say what the server fills in (Twenty's).
SYSTEM_FIELDS: tuple[FieldDefinition, ...] = (
    FieldDefinition("id", "Id", T.UUID, is_nullable=False, default_value="uuid"),
    FieldDefinition("createdAt", "Creation date", T.DATE_TIME, is_nullable=False,
                    default_value="now"),
    FieldDefinition("updatedAt", "Last update", T.DATE_TIME, is_nullable=False,
                    default_value="now"),
    FieldDefinition("deletedAt", "Deleted", T.DATE_TIME),
    FieldDefinition("position", "Position", T.POSITION, is_nullable=False, default_value=0),
    FieldDefinition("searchVector", "Search vector", T.TS_VECTOR,
                    description="Field used for full-text search"),
)  # fmt: skip
SYSTEM_FIELD_NAMES = frozenset(f.name for f in SYSTEM_FIELDS)

SYSTEM_ACTOR = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": {}}
# Every object's records also say who created and who last updated them; the server fills both.
ACTOR_FIELDS: tuple[FieldDefinition, ...] = (
    FieldDefinition("createdBy", "Created by", T.ACTOR, is_nullable=False,
                    default_value=SYSTEM_ACTOR, description="The creator of the record"),
    FieldDefinition("updatedBy", "Updated by", T.ACTOR, is_nullable=False,
                    default_value=SYSTEM_ACTOR,
                    description="The workspace member who last updated the record"),
)  # fmt: skip
ACTOR_FIELD_NAMES = frozenset(f.name for f in ACTOR_FIELDS)

# Attachments (Twenty's standard ``attachment``) belong to a record of one of these objects,
# each of which lists them as ``attachments``.
ATTACHMENT_TARGETS = (
    ("person", "Person"),
    ("company", "Company"),
    ("opportunity", "Opportunity"),
    ("note", "Note"),
    ("task", "Task"),
)
ATTACHMENT_CATEGORIES = (
    "ARCHIVE", "AUDIO", "IMAGE", "PRESENTATION", "SPREADSHEET", "TEXT_DOCUMENT", "VIDEO", "OTHER",
)  # fmt: skip


def attachments_of(target: str) -> FieldDefinition:
    """The inverse side of ``attachment.<target>`` on ``target``."""
    return FieldDefinition(
        "attachments", "Attachments", T.RELATION, settings=inverse_relation("attachment", target)
    )


STANDARD_OBJECTS: tuple[ObjectDefinition, ...] = (
    ObjectDefinition(
        "company",
        "companies",
        "Company",
        "Companies",
        (
            FieldDefinition("name", "Name", T.TEXT, default_value=""),
            FieldDefinition("domainName", "Domain Name", T.LINKS, is_unique=True),
            FieldDefinition("employees", "Employees", T.NUMBER),
            FieldDefinition("address", "Address", T.ADDRESS),
            FieldDefinition("annualRecurringRevenue", "ARR", T.CURRENCY),
            FieldDefinition("idealCustomerProfile", "ICP", T.BOOLEAN, default_value=False),
            FieldDefinition("linkedinLink", "Linkedin", T.LINKS),
            FieldDefinition(
                "people", "People", T.RELATION, settings=inverse_relation("person", "company")
            ),
            FieldDefinition(
                "opportunities",
                "Opportunities",
                T.RELATION,
                settings=inverse_relation("opportunity", "company"),
            ),
            attachments_of("company"),
        ),
        description="A company",
        duplicate_criteria=(("name",), ("domainName.primaryLinkUrl",)),
    ),
    ObjectDefinition(
        "person",
        "people",
        "Person",
        "People",
        (
            FieldDefinition("name", "Name", T.FULL_NAME),
            FieldDefinition("emails", "Emails", T.EMAILS, is_unique=True),
            FieldDefinition("phones", "Phones", T.PHONES),
            FieldDefinition("jobTitle", "Job Title", T.TEXT, default_value=""),
            FieldDefinition("city", "City", T.TEXT, default_value=""),
            FieldDefinition("linkedinLink", "Linkedin", T.LINKS),
            FieldDefinition(
                "company", "Company", T.RELATION, settings=relation("company", "people")
            ),
            FieldDefinition(
                "pointOfContactForOpportunities",
                "Linked Opportunities",
                T.RELATION,
                settings=inverse_relation("opportunity", "pointOfContact"),
            ),
            attachments_of("person"),
        ),
        description="A person",
        duplicate_criteria=(
            ("name.firstName", "name.lastName"),
            ("linkedinLink.primaryLinkUrl",),
            ("emails.primaryEmail",),
        ),
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
            FieldDefinition(
                "company", "Company", T.RELATION, settings=relation("company", "opportunities")
            ),
            FieldDefinition(
                "pointOfContact",
                "Point of Contact",
                T.RELATION,
                settings=relation("person", "pointOfContactForOpportunities"),
            ),
            attachments_of("opportunity"),
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
            attachments_of("note"),
        ),
        description="A note",
        label_identifier="title",
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
            attachments_of("task"),
        ),
        description="A task",
        label_identifier="title",
    ),
    ObjectDefinition(
        "attachment",
        "attachments",
        "Attachment",
        "Attachments",
        (
            FieldDefinition(
                "name", "Name", T.TEXT, default_value="", description="Attachment name"
            ),
            FieldDefinition(
                "fullPath",
                "Full path",
                T.TEXT,
                default_value="",
                description="Attachment full path",
            ),
            FieldDefinition(
                "fileCategory",
                "File category",
                T.SELECT,
                default_value="OTHER",
                options=options(*ATTACHMENT_CATEGORIES),
                description="Attachment file category",
            ),
            FieldDefinition(
                "file",
                "File",
                T.FILES,
                settings={"maxNumberOfValues": 1},
                description="Attachment file",
            ),
            *(
                FieldDefinition(target, label, T.RELATION, settings=relation(target, "attachments"))
                for target, label in ATTACHMENT_TARGETS
            ),
        ),
        description="An attachment",
    ),
)
