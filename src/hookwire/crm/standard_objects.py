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


def _text(name: str, label: str, description: str | None = None) -> FieldDefinition:
    return FieldDefinition(name, label, T.TEXT, default_value="", description=description)


SYNC_STATUSES = (
    "NOT_SYNCED", "ONGOING", "ACTIVE", "FAILED_INSUFFICIENT_PERMISSIONS", "FAILED_UNKNOWN",
)  # fmt: skip


def _participant_links(inverse: str) -> tuple[FieldDefinition, ...]:
    """Who a participant is: a person of the CRM (whose records list it as ``inverse``), or a
    workspace member."""
    return (
        FieldDefinition("person", "Person", T.RELATION, settings=relation("person", inverse)),
        FieldDefinition("workspaceMemberId", "Workspace Member", T.UUID),
    )


def _sync_state() -> tuple[FieldDefinition, ...]:
    """Where a channel's sync stands, and the connected account it belongs to."""
    return (
        FieldDefinition("isSyncEnabled", "Is Sync Enabled", T.BOOLEAN, default_value=True),
        FieldDefinition(
            "syncStatus",
            "Sync status",
            T.SELECT,
            default_value="NOT_SYNCED",
            options=options(*SYNC_STATUSES),
        ),
        FieldDefinition("syncedAt", "Last sync date", T.DATE_TIME),
        FieldDefinition("connectedAccountId", "Connected Account", T.UUID),
    )


# What connected accounts bring in (Twenty's messaging and calendar objects). A workspace
# gets them, with their other sides on ``person``, when its first account is connected.
MESSAGING_OBJECTS: tuple[ObjectDefinition, ...] = (
    ObjectDefinition(
        "messageThread",
        "messageThreads",
        "Message Thread",
        "Message Threads",
        (
            _text("subject", "Subject", "The subject of the thread's first message"),
            FieldDefinition(
                "messages",
                "Messages",
                T.RELATION,
                settings=inverse_relation("message", "messageThread"),
            ),
        ),
        description="A group of related messages",
        label_identifier="subject",
    ),
    ObjectDefinition(
        "message",
        "messages",
        "Message",
        "Messages",
        (
            _text("headerMessageId", "Header message Id", "Message id from the message header"),
            _text("subject", "Subject"),
            _text("text", "Text", "The message's plain text"),
            FieldDefinition("receivedAt", "Received At", T.DATE_TIME),
            FieldDefinition(
                "direction",
                "Direction",
                T.SELECT,
                default_value="INCOMING",
                options=options("INCOMING", "OUTGOING"),
            ),
            FieldDefinition(
                "messageThread",
                "Message Thread",
                T.RELATION,
                settings=relation("messageThread", "messages"),
            ),
            FieldDefinition(
                "messageParticipants",
                "Message Participants",
                T.RELATION,
                settings=inverse_relation("messageParticipant", "message"),
            ),
        ),
        description="A message (an email)",
        label_identifier="subject",
    ),
    ObjectDefinition(
        "messageParticipant",
        "messageParticipants",
        "Message Participant",
        "Message Participants",
        (
            FieldDefinition(
                "role", "Role", T.SELECT, default_value="FROM",
                options=options("FROM", "TO", "CC", "BCC"),
            ),
            _text("handle", "Handle", "The participant's address"),
            _text("displayName", "Display Name"),
            FieldDefinition(
                "message", "Message", T.RELATION,
                settings=relation("message", "messageParticipants"),
            ),
            *_participant_links("messageParticipants"),
        ),
        description="A sender or recipient of a message",
        label_identifier="handle",
    ),
    ObjectDefinition(
        "messageChannel",
        "messageChannels",
        "Message Channel",
        "Message Channels",
        (
            _text("handle", "Handle", "The mailbox's address"),
            FieldDefinition(
                "type", "Type", T.SELECT, default_value="EMAIL", options=options("EMAIL", "SMS")
            ),
            *_sync_state(),
            FieldDefinition(
                "contactAutoCreationPolicy", "Contact auto creation policy", T.SELECT,
                default_value="SENT", options=options("FROM_AND_TO", "SENT", "NONE"),
            ),
        ),
        description="A mailbox whose messages are imported",
        label_identifier="handle",
    ),
)  # fmt: skip

CALENDAR_OBJECTS: tuple[ObjectDefinition, ...] = (
    ObjectDefinition(
        "calendarEvent",
        "calendarEvents",
        "Calendar event",
        "Calendar events",
        (
            _text("title", "Title"),
            FieldDefinition("isCanceled", "Is canceled", T.BOOLEAN, default_value=False),
            FieldDefinition("isFullDay", "Is Full Day", T.BOOLEAN, default_value=False),
            FieldDefinition("startsAt", "Start Date", T.DATE_TIME),
            FieldDefinition("endsAt", "End Date", T.DATE_TIME),
            _text("description", "Description"),
            _text("location", "Location"),
            _text("iCalUID", "iCal UID"),
            FieldDefinition("conferenceLink", "Meet Link", T.LINKS),
            FieldDefinition(
                "calendarEventParticipants", "Event Participants", T.RELATION,
                settings=inverse_relation("calendarEventParticipant", "calendarEvent"),
            ),
        ),
        description="A calendar event",
        label_identifier="title",
    ),
    ObjectDefinition(
        "calendarEventParticipant",
        "calendarEventParticipants",
        "Calendar event participant",
        "Calendar event participants",
        (
            _text("handle", "Handle", "The participant's address"),
            _text("displayName", "Display Name"),
            FieldDefinition("isOrganizer", "Is Organizer", T.BOOLEAN, default_value=False),
            FieldDefinition(
                "responseStatus", "Response Status", T.SELECT, default_value="NEEDS_ACTION",
                options=options("NEEDS_ACTION", "DECLINED", "TENTATIVE", "ACCEPTED"),
            ),
            FieldDefinition(
                "calendarEvent", "Event", T.RELATION,
                settings=relation("calendarEvent", "calendarEventParticipants"),
            ),
            *_participant_links("calendarEventParticipants"),
        ),
        description="An attendee of a calendar event",
        label_identifier="handle",
    ),
    ObjectDefinition(
        "calendarChannel",
        "calendarChannels",
        "Calendar Channel",
        "Calendar Channels",
        (
            _text("handle", "Handle", "The calendar account's address"),
            *_sync_state(),
        ),
        description="A calendar whose events are imported",
        label_identifier="handle",
    ),
)  # fmt: skip

# The other sides, on objects every workspace has, of the relations above.
CONNECTED_INVERSES: tuple[tuple[str, FieldDefinition], ...] = (
    (
        "person",
        FieldDefinition(
            "messageParticipants", "Message Participants", T.RELATION,
            settings=inverse_relation("messageParticipant", "person"),
        ),
    ),
    (
        "person",
        FieldDefinition(
            "calendarEventParticipants", "Calendar Event Participants", T.RELATION,
            settings=inverse_relation("calendarEventParticipant", "person"),
        ),
    ),
)  # fmt: skip
