"""Checked with ``mypy --strict`` against a workspace's generated client (never run): the
generated models and methods carry their types into a user's code."""

from __future__ import annotations

import datetime

from hookwire_client import GraphQLError
from hookwire_client.generated import (
    AsyncClient,
    Client,
    FullNameCreateInput,
    InvoiceCreateInput,
    InvoiceFields,
    InvoiceStageEnum,
    PersonCreateInput,
    PersonFields,
)


def first_name(client: Client, person_id: str) -> str | None:
    person: PersonFields | None = client.get_person(id=person_id)
    if person is None or person.name is None:
        return None
    return person.name.first_name


def add_person(client: Client) -> datetime.datetime:
    person = client.create_person(
        data=PersonCreateInput(name=FullNameCreateInput(first_name="Ada", last_name="Lovelace"))
    )
    assert person is not None
    return person.created_at


async def invoice_stages(client: AsyncClient) -> list[InvoiceStageEnum | None]:
    page = await client.list_invoices(first=10)
    return [edge.node.stage for edge in page.edges] if page else []


def draft(client: Client) -> InvoiceFields | None:
    try:
        return client.create_invoice(
            data=InvoiceCreateInput(name="INV", stage=InvoiceStageEnum.DRAFT, total=1.5)
        )
    except GraphQLError as error:
        print(error.codes)
        return None
