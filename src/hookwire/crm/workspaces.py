"""Creating workspaces with the standard objects, and the optional sample data."""

from __future__ import annotations

from sqlmodel import Session, select

from hookwire.crm.catalog import load_catalog
from hookwire.crm.metadata import add_object
from hookwire.crm.records import RecordStore
from hookwire.crm.standard_objects import STANDARD_OBJECTS
from hookwire.errors import Conflict
from hookwire.models import Workspace


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
