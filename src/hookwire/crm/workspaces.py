"""Creating workspaces with the standard objects, the messaging and calendar objects a
workspace gets with its first connected account, and the optional sample data."""

from __future__ import annotations

from sqlmodel import Session, select

from hookwire.crm.catalog import load_catalog
from hookwire.crm.metadata import add_field, add_object, bump_version
from hookwire.crm.records import RecordStore
from hookwire.crm.standard_objects import (
    CALENDAR_OBJECTS,
    CONNECTED_INVERSES,
    MESSAGING_OBJECTS,
    STANDARD_OBJECTS,
)
from hookwire.errors import Conflict
from hookwire.models import FieldMetadata, ObjectMetadata, Workspace


def create_workspace(session: Session, display_name: str) -> Workspace:
    """A new workspace holding the standard objects; the name must be unused."""
    display_name = display_name.strip()
    if not display_name:
        raise ValueError("a workspace needs a name")
    if find_workspace(session, display_name) is not None:
        raise Conflict(f"a workspace named '{display_name}' already exists")
    workspace = Workspace(display_name=display_name)
    session.add(workspace)
    session.flush()
    for definition in STANDARD_OBJECTS:
        add_object(session, workspace.id, definition, is_custom=False)
    return workspace


def find_workspace(session: Session, display_name: str) -> Workspace | None:
    return session.exec(select(Workspace).where(Workspace.display_name == display_name)).first()


def add_sample_data(session: Session, workspace: Workspace) -> None:
    """A few companies, people and an opportunity to explore the API with."""
    catalog = load_catalog(session, workspace.id)
    store = RecordStore(session, catalog)
    company, person, opportunity = (
        catalog.object_by_singular(name) for name in ("company", "person", "opportunity")
    )
    companies = store.create_many(
        company,
        [
            {
                "name": "Analytical Engines",
                "domainName": {"primaryLinkUrl": "https://engines.example"},
                "employees": 12,
                "address": {"addressCity": "London", "addressCountry": "United Kingdom"},
            },
            {
                "name": "Curie Labs",
                "domainName": {"primaryLinkUrl": "https://curie.example"},
                "employees": 40,
                "address": {"addressCity": "Paris", "addressCountry": "France"},
            },
        ],
    )
    people = store.create_many(
        person,
        [
            {
                "name": {"firstName": "Ada", "lastName": "Lovelace"},
                "emails": {"primaryEmail": "ada@engines.example"},
                "jobTitle": "Analyst",
                "city": "London",
                "companyId": companies[0]["id"],
            },
            {
                "name": {"firstName": "Charles", "lastName": "Babbage"},
                "emails": {"primaryEmail": "charles@engines.example"},
                "jobTitle": "Engineer",
                "city": "London",
                "companyId": companies[0]["id"],
            },
            {
                "name": {"firstName": "Marie", "lastName": "Curie"},
                "emails": {"primaryEmail": "marie@curie.example"},
                "jobTitle": "Physicist",
                "city": "Paris",
                "companyId": companies[1]["id"],
            },
        ],
    )
    store.create(
        opportunity,
        {
            "name": "Difference Engine No. 2",
            "stage": "MEETING",
            "amount": {"amountMicros": 250_000_000_000, "currencyCode": "GBP"},
            "companyId": companies[0]["id"],
            "pointOfContactId": people[0]["id"],
        },
    )


def install_connected_objects(session: Session, workspace_id: str) -> bool:
    """Give the workspace the messaging and calendar objects, and their other sides on
    ``person``, unless it has them; whether it had to. Refused (Conflict, naming it) when a
    custom object or field already has one of their names."""
    # Locked, so two accounts connected at once install them once.
    session.exec(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
    objects = {
        row.name_singular: row
        for row in session.exec(
            select(ObjectMetadata).where(ObjectMetadata.workspace_id == workspace_id)
        )
    }
    taken = set(objects) | {row.name_plural for row in objects.values()}
    missing = []
    for definition in (*MESSAGING_OBJECTS, *CALENDAR_OBJECTS):
        present = objects.get(definition.name_singular)
        if present is not None and not present.is_custom:
            continue
        if present is not None or {definition.name_singular, definition.name_plural} & taken:
            raise Conflict(
                f"the workspace has a custom object named {definition.name_singular!r} or "
                f"{definition.name_plural!r}; rename it before connecting an account"
            )
        missing.append(definition)
    inverses = []
    for owner_name, definition in CONNECTED_INVERSES:
        owner = objects.get(owner_name)
        if owner is None:
            raise Conflict(f"the workspace has no '{owner_name}' object to link accounts' data to")
        field = session.exec(
            select(FieldMetadata).where(
                FieldMetadata.object_id == owner.id, FieldMetadata.name == definition.name
            )
        ).first()
        if field is None:
            inverses.append((owner, definition))
        elif field.is_custom:
            raise Conflict(
                f"'{owner_name}' has a custom field named {definition.name!r}; rename it "
                "before connecting an account"
            )
    if not missing and not inverses:
        return False
    for definition in missing:
        add_object(session, workspace_id, definition, is_custom=False)
    for owner, definition in inverses:
        add_field(session, owner, definition, is_custom=False)
    bump_version(session, workspace_id)
    return True
