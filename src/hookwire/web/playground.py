"""The API playground: GraphiQL and Swagger UI pages, shown full screen over ``/settings/apis``.

Each launch gets a short-lived API key of its own, handed to the page once by
``POST /settings/playground/token``; the session's previous playground key is revoked then,
and at sign-out.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from flask import abort, render_template, url_for
from sqlmodel import Session

from hookwire.database import transaction
from hookwire.errors import NotFound
from hookwire.identity import SignedIn, issue_api_key, revoke_api_key
from hookwire.models import UserSession, utcnow
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.security import signed_in

playground_pages = pages("playground_pages", admin_only=True)
PLAYGROUND_KEY_PREFIX = "Playground · "
MIN_LIFETIME = timedelta(minutes=5)
GRAPHQL_ENDPOINTS = {"records": "/graphql", "metadata": "/metadata"}
DEFAULT_QUERIES = {
    "records": "query People {\n  people(first: 5) {\n    totalCount\n    edges {\n"
    "      node {\n        id\n        name {\n          firstName\n          lastName\n"
    "        }\n      }\n    }\n  }\n}\n",
    "metadata": "query CurrentWorkspace {\n  currentWorkspace {\n    id\n    displayName\n  }\n}\n",
}


def is_playground_key(name: str) -> bool:
    return name.startswith(PLAYGROUND_KEY_PREFIX)


def revoke_playground_key(session: Session, current: SignedIn) -> None:
    key_id = current.row.playground_key_id
    if key_id is None:
        return
    with contextlib.suppress(NotFound):
        revoke_api_key(session, key_id, current.user.workspace_id)


@playground_pages.get("/settings/playground/graphql/<schema>")
def graphql_playground(schema: str) -> str:
    if schema not in GRAPHQL_ENDPOINTS:
        abort(404, f"no GraphQL schema '{schema}'; choose records or metadata")
    return render_template(
        "playground_graphql.html",
        endpoint=GRAPHQL_ENDPOINTS[schema],
        schema=schema,
        default_query=DEFAULT_QUERIES[schema],
    )


@playground_pages.get("/settings/playground/rest")
def rest_playground() -> str:
    return render_template("playground_rest.html", document=url_for("openapi_api.core_document"))


@playground_pages.post("/settings/playground/token")
def playground_token() -> tuple[dict[str, str], int]:
    """A new key for this session's playground, valid until the session ends."""
    current = signed_in()
    assert current is not None
    lifetime = max(current.row.expires_at - utcnow(), MIN_LIFETIME)
    with transaction(services().engine) as session:
        revoke_playground_key(session, current)
        issued = issue_api_key(
            session,
            services().config.app_secret,
            current.user.workspace_id,
            f"{PLAYGROUND_KEY_PREFIX}{current.user.email}",
            lifetime,
        )
        row = session.get(UserSession, current.row.id)
        if row is not None:
            row.playground_key_id = issued.row.id
            session.add(row)
    return {"token": issued.token}, 201
