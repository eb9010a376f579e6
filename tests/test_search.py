"""Full-text search: ``searchVector``, the root ``search`` query and the ``searchVector`` filter.

Two kinds of tests, each on SQLite (FTS5) and PostgreSQL (tsvector):

* direct ones, on the ``database`` fixture's engine: records written through ``RecordStore``
  (which keeps the index), searched through ``search_field()`` executed by graphql-core with
  a context holding the session and catalog, and through ``search_clause``;
* HTTP ones, against a live server, sending Twenty's own documents (its front end's
  ``Search`` query verbatim).
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from graphql import GraphQLObjectType, GraphQLSchema, graphql_sync
from sqlmodel import Session, select

import hookwire.crm.search as search_index
from conftest import Client, Database, empty_database, new_workspace, service_unavailable
from graphql_support import gql, ok
from hookwire.crm.catalog import Catalog, load_catalog
from hookwire.crm.metadata import create_object
from hookwire.crm.records import RecordStore
from hookwire.crm.search.ranking import Ranker, as_real
from hookwire.crm.search.terms import SearchQuery
from hookwire.crm.workspaces import create_workspace
from hookwire.database import MIGRATIONS_DIR, create_db_engine, transaction
from hookwire.models import Record, SearchDocument

# Twenty's front end (twenty-front, SEARCH_QUERY), verbatim.
TWENTY_SEARCH = """
  query Search(
    $searchInput: String!
    $limit: Int!
    $after: String
    $excludedObjectNameSingulars: [String!]
    $includedObjectNameSingulars: [String!]
    $filter: ObjectRecordFilterInput
  ) {
    search(
      searchInput: $searchInput
      limit: $limit
      after: $after
      excludedObjectNameSingulars: $excludedObjectNameSingulars
      includedObjectNameSingulars: $includedObjectNameSingulars
      filter: $filter
    ) {
      edges {
        node {
          recordId
          objectNameSingular
          objectLabelSingular
          label
          imageUrl
          tsRankCD
          tsRank
        }
        cursor
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
"""

PEOPLE = [
    {
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "emails": {"primaryEmail": "ada@lovelace.example"},
        "phones": {"primaryPhoneNumber": "20 7946 0958", "primaryPhoneCallingCode": "+44"},
        "jobTitle": "Analyst",
    },
    {
        "name": {"firstName": "Charles", "lastName": "Babbage"},
        "emails": {"primaryEmail": "charles@engines.example"},
        "jobTitle": "Engineer",
    },
    {
        "name": {"firstName": "Zoë", "lastName": "Ångström"},
        "emails": {"primaryEmail": "zoe@angstrom.example"},
        "jobTitle": "Physicist",
    },
    {
        "name": {"firstName": "Adam", "lastName": "Smith"},
        "emails": {"primaryEmail": "adam@smith.example"},
        "jobTitle": "Economist",
    },
]
COMPANIES = [
    {"name": "Analytical Engines", "domainName": {"primaryLinkUrl": "https://www.engines.example"}},
    {"name": "Curie Labs", "domainName": {"primaryLinkUrl": "https://curie.example"}},
]
NOTES = [{"title": "Lovelace notes on the Analytical Engine"}]
ADA_VECTOR = "'2079460958':6 '442079460958':7 'ada':1,3 'analyst':8 'example':5 'lovelace':2,4"


# --- direct: the module on the database fixture's engine ----------------------------------


@dataclass
class Context:
    """What the ``search`` resolver reads from ``info.context`` (a GraphContext's part)."""

    session: Session
    catalog: Catalog


SEARCH_SCHEMA = GraphQLSchema(
    query=GraphQLObjectType("Query", {"search": search_index.search_field()})
)


@dataclass
class Workspace:
    """A workspace on the test database, with the records it was seeded with by object."""

    database: Database
    id: str
    ids: dict[str, list[str]]

    def session(self) -> Session:
        return Session(self.database.engine)

    def store(self, session: Session) -> RecordStore:
        return RecordStore(session, load_catalog(session, self.id))

    def create(self, object_name: str, items: list[dict[str, Any]]) -> list[str]:
        with transaction(self.database.engine) as session:
            store = self.store(session)
            records = store.create_many(store.catalog.object_by_singular(object_name), items)
        return [record["id"] for record in records]

    def search(self, text: str, limit: int = 20, **args: Any) -> dict[str, Any]:
        """The ``search`` answer, or AssertionError with the errors."""
        with self.session() as session:
            result = graphql_sync(
                SEARCH_SCHEMA,
                "query($searchInput: String!, $limit: Int!, $after: String, "
                "$included: [String!], $excluded: [String!], $filter: ObjectRecordFilterInput) "
                "{ search(searchInput: $searchInput, limit: $limit, after: $after, "
                "includedObjectNameSingulars: $included, excludedObjectNameSingulars: $excluded, "
                "filter: $filter) { edges { node { recordId objectNameSingular "
                "objectLabelSingular label imageUrl tsRankCD tsRank } cursor } "
                "pageInfo { hasNextPage endCursor } } }",
                context_value=Context(session, load_catalog(session, self.id)),
                variable_values={"searchInput": text, "limit": limit, **args},
            )
        assert result.errors is None, result.errors
        return result.data["search"]

    def search_error(self, text: str, limit: int, **args: Any) -> str:
        with self.session() as session:
            result = graphql_sync(
                SEARCH_SCHEMA,
                "query($t: String!, $l: Int!, $after: String) "
                "{ search(searchInput: $t, limit: $l, after: $after) { edges { cursor } } }",
                context_value=Context(session, load_catalog(session, self.id)),
                variable_values={"t": text, "l": limit, **args},
            )
        assert result.errors, result.data
        return result.errors[0].message

    def found(self, text: str, **args: Any) -> list[str]:
        """The labels ``search`` finds for ``text``, in its order."""
        return [edge["node"]["label"] for edge in self.search(text, **args)["edges"]]

    def matching(self, object_name: str, text: str) -> set[str]:
        """The ids of records of ``object_name`` that ``search_clause`` selects."""
        with self.session() as session:
            spec = load_catalog(session, self.id).object_by_singular(object_name)
            dialect = session.get_bind().dialect.name
            clause = search_index.search_clause(spec, text, dialect)
            return set(
                session.exec(select(Record.id).where(Record.object_id == spec.id, clause)).all()
            )


@pytest.fixture
def workspace(database: Database) -> Workspace:
    workspace_id, _token = new_workspace(database)
    seeded = Workspace(database, workspace_id, {})
    for name, items in (("person", PEOPLE), ("company", COMPANIES), ("note", NOTES)):
        seeded.ids[name] = seeded.create(name, items)
    return seeded


def test_terms_are_folded_unaccented_and_split_into_parts() -> None:
    terms = search_index.document_terms
    assert terms([("TEXT", "Zoë  Ångström-Ünal")]) == ["zoe", "angstrom", "unal"]
    emails = {"primaryEmail": "Ada@Lovelace.example", "additionalEmails": ["a@b.c"]}
    assert terms([("EMAILS", emails)]) == ["ada", "lovelace", "example", "a", "b", "c"]
    assert terms([("LINKS", {"primaryLinkUrl": "https://www.engines.example/about"})]) == [
        "engines", "example", "about",
    ]  # fmt: skip
    phone = {"primaryPhoneNumber": "06 12 34 56 78", "primaryPhoneCallingCode": "+33"}
    assert terms([("PHONES", phone)]) == ["0612345678", "33612345678"]
    assert terms([("FULL_NAME", {"firstName": "Straße", "lastName": None})]) == ["strasse"]
    assert search_index.vector_text(["ada", "lovelace", "ada"]) == "'ada':1,3 'lovelace':2"
    long_input = SearchQuery.parse(" ".join(["a.b.c.d.e.f.g.h.i.j"] * 10))
    assert len(long_input.parts) == 32  # the rest of a very long input is ignored


def test_search_vector_text_is_what_postgres_prints(workspace: Workspace) -> None:
    with workspace.session() as session:
        store = workspace.store(session)
        person = store.catalog.object_by_singular("person")
        ada = store.get(person, workspace.ids["person"][0])
        text = search_index.search_vector_text(person, ada)
        assert text == ADA_VECTOR
        if workspace.database.backend == "postgres":
            printed = session.execute(sa.text("SELECT CAST(:v AS tsvector)::text"), {"v": text})
            assert printed.scalar_one() == text


def test_words_match_as_prefixes_of_names_addresses_domains_and_phones(
    workspace: Workspace,
) -> None:
    assert workspace.found("lov") == ["Ada Lovelace", "Lovelace notes on the Analytical Engine"]
    assert workspace.found("LOVELACE.example") == ["Ada Lovelace"]
    assert workspace.found("ångs") == ["Zoë Ångström"]
    assert workspace.found("zoe ANGSTROM") == ["Zoë Ångström"]
    assert set(workspace.found("engines")) == {
        "Analytical Engines",  # its domain and name
        "Charles Babbage",  # charles@engines.example
    }
    assert workspace.found("+44 2079") == ["Ada Lovelace"]  # a phone number is one term
    assert workspace.matching("person", "2079 46") == set()
    assert workspace.found("physic") == ["Zoë Ångström"]
    assert workspace.found("nobody") == []


def test_every_word_ranks_first_then_any_word_by_rank(workspace: Workspace) -> None:
    edges = workspace.search("ada lovelace")["edges"]
    found = [(e["node"]["label"], e["node"]["tsRankCD"], e["node"]["tsRank"]) for e in edges]
    # Ada holds both words (a cover density above 0); the others one of them. Equal values on
    # both backends: PostgreSQL computes them, SQLite the port of tsrank.c.
    assert found == [
        ("Ada Lovelace", 0.3, 0.075990885),
        ("Adam Smith", 0.0, 0.037995443),
        ("Lovelace notes on the Analytical Engine", 0.0, 0.030396355),
    ]
    node = edges[0]["node"]
    assert node["objectNameSingular"] == "person"
    assert node["objectLabelSingular"] == "Person"
    assert node["recordId"] == workspace.ids["person"][0]
    assert node["imageUrl"] == ""


def test_company_nodes_carry_a_logo_url(workspace: Workspace) -> None:
    node = workspace.search("curie")["edges"][0]["node"]
    assert (node["label"], node["imageUrl"]) == (
        "Curie Labs",
        "https://twenty-icons.com/curie.example",
    )


def test_soft_deleted_records_are_not_found_and_return_on_restore(workspace: Workspace) -> None:
    ada_id = workspace.ids["person"][0]
    with transaction(workspace.database.engine) as session:
        store = workspace.store(session)
        store.soft_delete(store.catalog.object_by_singular("person"), ada_id)
    assert workspace.found("ada") == ["Adam Smith"]
    assert ada_id in workspace.matching("person", "ada")  # lists apply deletedAt themselves
    deleted = {"deletedAt": {"is": "NOT_NULL"}}
    assert workspace.found("ada", filter=deleted) == ["Ada Lovelace"]
    with transaction(workspace.database.engine) as session:
        store = workspace.store(session)
        store.restore(store.catalog.object_by_singular("person"), ada_id)
    assert "Ada Lovelace" in workspace.found("ada")


def test_updates_reindex_and_destroys_remove_the_document(workspace: Workspace) -> None:
    babbage_id = workspace.ids["person"][1]
    with transaction(workspace.database.engine) as session:
        store = workspace.store(session)
        person = store.catalog.object_by_singular("person")
        store.update(person, babbage_id, {"name": {"lastName": "Difference"}})
    assert workspace.found("babbage") == []
    assert workspace.found("differ") == ["Charles Difference"]
    with transaction(workspace.database.engine) as session:
        store = workspace.store(session)
        store.destroy(store.catalog.object_by_singular("person"), babbage_id)
    assert workspace.found("charles") == []
    with workspace.session() as session:
        documents = session.exec(
            select(SearchDocument).where(SearchDocument.record_id == babbage_id)
        ).all()
    assert documents == []


def test_a_workspace_finds_only_its_own_records(workspace: Workspace, database: Database) -> None:
    other_id, _token = new_workspace(database)
    other = Workspace(database, other_id, {})
    other.create("person", [{"name": {"firstName": "Ada", "lastName": "Other"}}])
    assert set(workspace.found("ada")) == {"Ada Lovelace", "Adam Smith"}
    assert other.found("ada") == ["Ada Other"]
    assert workspace.matching("person", "other") == set()


def test_included_excluded_and_unsearchable_objects(workspace: Workspace) -> None:
    everywhere = {
        "Analytical Engines",
        "Charles Babbage",
        "Lovelace notes on the Analytical Engine",
    }
    assert set(workspace.found("engine")) == everywhere
    assert workspace.found("engine", included=["company"]) == ["Analytical Engines"]
    assert workspace.found("engine", excluded=["company", "note"]) == ["Charles Babbage"]
    with transaction(workspace.database.engine) as session:
        catalog = load_catalog(session, workspace.id)
        session.execute(
            sa.text("UPDATE object_metadata SET is_searchable = :no WHERE id = :id").bindparams(
                no=False, id=catalog.object_by_singular("note").id
            )
        )
        session.execute(
            sa.text("UPDATE workspace SET metadata_version = metadata_version + 1 WHERE id = :id"),
            {"id": workspace.id},
        )
    assert set(workspace.found("engine")) == everywhere - {
        "Lovelace notes on the Analytical Engine"
    }


def test_the_filter_argument_narrows_every_object(workspace: Workspace) -> None:
    ada_id, _babbage, _zoe, adam_id = workspace.ids["person"]
    only_ada = {"id": {"in": [ada_id]}}
    assert workspace.found("ada", filter=only_ada) == ["Ada Lovelace"]
    not_ada = {"not": {"id": {"eq": ada_id}}}
    assert workspace.found("ada", filter=not_ada) == ["Adam Smith"]
    either = {"or": [{"id": {"eq": ada_id}}, {"id": {"eq": adam_id}}]}
    assert set(workspace.found("ada", filter=either)) == {"Ada Lovelace", "Adam Smith"}


def test_search_vector_filter_wants_every_word(workspace: Workspace) -> None:
    ada_id, babbage_id, zoe_id, adam_id = workspace.ids["person"]
    assert workspace.matching("person", "ada") == {ada_id, adam_id}
    assert workspace.matching("person", "ada LOVE") == {ada_id}
    assert workspace.matching("person", "example engines") == {babbage_id}
    assert workspace.matching("person", "zoë") == {zoe_id}
    assert workspace.matching("person", "  -- ") == set(workspace.ids["person"])
    assert workspace.matching("company", "ada") == set()


def test_pages_follow_cursors_without_repeats(workspace: Workspace) -> None:
    workspace.create(
        "person", [{"name": {"firstName": "Kavelo", "lastName": f"N{i}"}} for i in range(7)]
    )
    seen, after, pages = [], None, 0
    while True:
        answer = workspace.search("kavelo", limit=3, **({"after": after} if after else {}))
        seen += [edge["node"]["label"] for edge in answer["edges"]]
        pages += 1
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
        assert after == answer["edges"][-1]["cursor"]
    assert pages == 3
    assert sorted(seen) == sorted(f"Kavelo N{i}" for i in range(7))


def test_empty_input_lists_every_record_by_id(workspace: Workspace) -> None:
    first = workspace.search("", limit=4, included=["person", "company"])
    assert len(first["edges"]) == 4 and first["pageInfo"]["hasNextPage"]
    assert {(e["node"]["tsRankCD"], e["node"]["tsRank"]) for e in first["edges"]} == {(0.0, 0.0)}
    rest = workspace.search(
        "", limit=10, included=["person", "company"], after=first["pageInfo"]["endCursor"]
    )
    ids = [e["node"]["recordId"] for e in first["edges"] + rest["edges"]]
    assert sorted(ids) == sorted(workspace.ids["person"] + workspace.ids["company"])
    assert not rest["pageInfo"]["hasNextPage"]


def test_limit_is_at_most_100_and_cursors_are_checked(workspace: Workspace) -> None:
    assert "limit: expected 0 to 100, got 101" in workspace.search_error("ada", 101)
    nothing = workspace.search("ada", limit=0)
    assert nothing == {"edges": [], "pageInfo": {"hasNextPage": True, "endCursor": None}}
    assert "invalid cursor" in workspace.search_error("ada", 5, after="not-a-cursor")


def test_a_common_prefix_ranks_a_bounded_number_of_matches_every_word_first(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hookwire.crm.search.service.CANDIDATES_PER_OBJECT", 2)
    workspace = Workspace(database, new_workspace(database)[0], {})
    workspace.create(
        "person",
        [
            {"name": {"firstName": "Kavelo", "lastName": f"N{i}"}, "jobTitle": "example"}
            for i in range(5)
        ],
    )
    workspace.create("person", PEOPLE[:1])
    # Six people hold "example", one of them "lovelace" too: it comes first though the two
    # ranked are the first in index order after it.
    found = workspace.found("lovelace example")
    assert len(found) == 2
    assert found[0] == "Ada Lovelace"


def test_a_custom_object_is_searched_by_its_label_identifier(workspace: Workspace) -> None:
    with transaction(workspace.database.engine) as session:
        create_object(
            session,
            workspace.id,
            {
                "nameSingular": "machine",
                "namePlural": "machines",
                "labelSingular": "Machine",
                "labelPlural": "Machines",
            },
        )
    workspace.create("machine", [{"name": "Difference Engine No. 2"}])
    found = workspace.search("differ")["edges"]
    assert [(e["node"]["objectNameSingular"], e["node"]["label"]) for e in found] == [
        ("machine", "Difference Engine No. 2")
    ]


def test_reindexing_rebuilds_lost_documents(workspace: Workspace) -> None:
    with transaction(workspace.database.engine) as session:
        session.execute(
            sa.delete(SearchDocument).where(SearchDocument.workspace_id == workspace.id)
        )
    assert workspace.found("ada") == []
    with transaction(workspace.database.engine) as session:
        search_index.reindex_workspace(session, load_catalog(session, workspace.id))
    assert set(workspace.found("ada")) == {"Ada Lovelace", "Adam Smith"}


def test_search_storage_exists_for_the_backend(database: Database) -> None:
    inspector = sa.inspect(database.engine)
    if database.backend == "sqlite":
        assert {"search_fts", "search_fts_data"} <= set(inspector.get_table_names())
    else:
        indexes = {index["name"] for index in inspector.get_indexes("search_document")}
        assert "ix_search_document_terms" in indexes


# --- the port of tsrank.c -------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres() -> Iterator[sa.engine.Engine]:
    url = os.environ.get("HOOKWIRE_TEST_DATABASE_URL")
    if not url:
        service_unavailable("HOOKWIRE_TEST_DATABASE_URL is not set; PostgreSQL tests need it")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()


def test_python_ranks_equal_postgres_ranks(postgres: sa.engine.Engine) -> None:
    """Random queries, each ranking random documents (short ones, which share rank shapes, and
    long ones): ts_rank_cd of the AND query and ts_rank of the OR query agree to the bit."""
    rng = random.Random(20261201)
    vocabulary = ["ada", "adam", "lovelace", "love", "engines", "example", "com", "a", "ab"]
    statement = sa.text(
        "SELECT ts_rank_cd(CAST(:v AS tsvector), CAST(:a AS tsquery)), "
        "ts_rank(CAST(:v AS tsvector), CAST(:o AS tsquery))"
    )
    with postgres.connect() as connection:
        for _ in range(100):
            text = " ".join(
                rng.choice(vocabulary)[: rng.randint(1, 4)] + rng.choice(("", ".co"))
                for _ in range(rng.randint(1, 3))
            )
            query = SearchQuery.parse(text)
            ranker = Ranker(query)
            for size in (0, 3, 8, 8, 150):
                terms = [rng.choice(vocabulary) for _ in range(rng.randint(0, size))]
                expected = connection.execute(
                    statement,
                    {
                        "v": search_index.vector_text(terms),
                        "a": query.tsquery(all_words=True),
                        "o": query.tsquery(all_words=False),
                    },
                ).one()
                got = ranker.ranks(terms)
                assert tuple(map(as_real, got)) == tuple(map(as_real, expected)), (terms, text)


# --- the migration's backfill ----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migration_indexes_existing_records(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with empty_database(backend, tmp_path_factory) as url:
        engine = create_db_engine(url)
        try:
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "0004")
            with transaction(engine) as session:
                workspace_id = create_workspace(session, "before search").id
                person = load_catalog(session, workspace_id).object_by_singular("person")
                # As records were stored before 0005 (RecordStore now indexes them itself).
                session.execute(
                    sa.insert(Record),
                    [
                        {"id": str(uuid.uuid4()), "workspace_id": workspace_id,
                         "object_id": person.id, "data": data}
                        for data in PEOPLE
                    ],
                )  # fmt: skip
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            found = Workspace(Database(backend, url, engine), workspace_id, {}).found("ada")
        finally:
            engine.dispose()
    assert set(found) == {"Ada Lovelace", "Adam Smith"}


# --- over HTTP (needs search wired into the records store and the /graphql schema) -----------


def search_over_http(client: Client, text: str, limit: int = 20, **variables: Any) -> dict:
    return ok(client, TWENTY_SEARCH, {"searchInput": text, "limit": limit, **variables})["search"]


def seed_over_http(client: Client) -> dict[str, list[str]]:
    ids = {}
    for plural, items in (("people", PEOPLE), ("companies", COMPANIES), ("notes", NOTES)):
        response = client.post(f"/rest/batch/{plural}", json=items)
        assert response.status_code == 201, response.text
        created = next(iter(response.json()["data"].values()))
        ids[plural] = [record["id"] for record in created]
    return ids


def test_twentys_search_query_over_http(client: Client) -> None:
    ids = seed_over_http(client)
    answer = search_over_http(client, "ada lovelace")
    labels = [edge["node"]["label"] for edge in answer["edges"]]
    assert labels == ["Ada Lovelace", "Adam Smith", "Lovelace notes on the Analytical Engine"]
    first = answer["edges"][0]["node"]
    assert first == {
        "recordId": ids["people"][0],
        "objectNameSingular": "person",
        "objectLabelSingular": "Person",
        "label": "Ada Lovelace",
        "imageUrl": "",
        "tsRankCD": 0.3,
        "tsRank": 0.075990885,
    }
    assert answer["pageInfo"] == {"hasNextPage": False, "endCursor": answer["edges"][-1]["cursor"]}


def test_search_pages_and_narrows_over_http(client: Client) -> None:
    ids = seed_over_http(client)
    first = search_over_http(client, "engine", limit=2)
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    rest = search_over_http(client, "engine", limit=2, after=first["pageInfo"]["endCursor"])
    assert not rest["pageInfo"]["hasNextPage"]
    assert {e["node"]["label"] for e in first["edges"] + rest["edges"]} == {
        "Analytical Engines",
        "Charles Babbage",
        "Lovelace notes on the Analytical Engine",
    }
    only = search_over_http(
        client,
        "engines",
        includedObjectNameSingulars=["person"],
        filter={"id": {"neq": ids["people"][0]}},
    )
    assert [e["node"]["label"] for e in only["edges"]] == ["Charles Babbage"]


def test_writes_over_http_keep_the_index(client: Client, other_client: Client) -> None:
    ids = seed_over_http(client)
    ada = ids["people"][0]
    assert client.delete(f"/rest/people/{ada}?soft_delete=true").status_code == 200
    assert "Ada Lovelace" not in [
        e["node"]["label"] for e in search_over_http(client, "ada")["edges"]
    ]
    ok(client, f'mutation {{ restorePerson(id: "{ada}") {{ id }} }}')
    response = client.patch(f"/rest/people/{ada}", json={"name": {"lastName": "Byron"}})
    assert response.status_code == 200, response.text
    assert [e["node"]["label"] for e in search_over_http(client, "byron")["edges"]] == ["Ada Byron"]
    assert search_over_http(other_client, "byron")["edges"] == []


def test_search_vector_field_and_filter_over_http(client: Client) -> None:
    ids = seed_over_http(client)
    data = ok(
        client,
        '{ people(filter: {searchVector: {search: "ada LOVE"}}) '
        "{ edges { node { id searchVector } } } }",
    )
    assert data["people"]["edges"] == [
        {
            "node": {
                "id": ids["people"][0],
                "searchVector": ADA_VECTOR,
            }
        }
    ]
    response = client.get("/rest/people", params={"filter": "searchVector[search]:adam"})
    assert response.status_code == 200, response.text
    assert [p["id"] for p in response.json()["data"]["people"]] == [ids["people"][3]]


def test_search_limit_over_http(client: Client) -> None:
    body = gql(client, "/graphql", TWENTY_SEARCH, {"searchInput": "ada", "limit": 101})
    assert "limit: expected 0 to 100" in body["errors"][0]["message"]
    assert search_over_http(client, "ada", limit=100)["edges"] == []


def test_deactivating_a_field_that_feeds_search_reindexes(client: Client) -> None:
    """A person is found by job title while the field is active, not while it is not."""
    seed_over_http(client)
    ok(client, 'mutation { createPerson(data: {jobTitle: "Astronaut"}) { id } }')
    objects = ok(client, "{ objects(paging: {first: 100}) { edges { node { nameSingular "
                 "fields(paging: {first: 100}) { edges { node { id name } } } } } } }",
                 path="/metadata")["objects"]["edges"]  # fmt: skip
    person = next(e["node"] for e in objects if e["node"]["nameSingular"] == "person")
    job_title = next(
        f["node"]["id"] for f in person["fields"]["edges"] if f["node"]["name"] == "jobTitle"
    )

    def set_active(active: bool) -> None:
        update = f'id: "{job_title}", update: {{isActive: {str(active).lower()}}}'
        ok(client, f"mutation {{ updateOneField(input: {{{update}}}) {{ id }} }}", path="/metadata")

    assert search_over_http(client, "astronaut")["edges"]
    set_active(False)
    assert search_over_http(client, "astronaut")["edges"] == []
    set_active(True)
    assert search_over_http(client, "astronaut")["edges"]
