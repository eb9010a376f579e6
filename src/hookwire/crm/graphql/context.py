"""What every GraphQL resolver can reach: the caller, their catalog, a records store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo
from sqlmodel import Session

from hookwire.config import Config
from hookwire.crm.catalog import Catalog
from hookwire.crm.records import RecordStore
from hookwire.identity import Caller


@dataclass
class GraphContext:
    caller: Caller
    catalog: Catalog
    session: Session
    store: RecordStore
    config: Config


def current_workspace(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    catalog = info.context.catalog
    return {"id": catalog.workspace_id, "displayName": catalog.display_name}
