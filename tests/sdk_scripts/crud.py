"""Run in a fresh virtual environment holding only a workspace's generated client (from
``GET /sdk/python``): typed list/get/create/update/delete/destroy of standard and custom
objects, composites, relations, enums, typed errors, the async client. The server URL and
token come from HOOKWIRE_API_URL and HOOKWIRE_API_KEY, as a deployed script would have them.
Prints what the test then checks against the server, as JSON."""

from __future__ import annotations

import asyncio
import datetime
import json

from hookwire_client import BadUserInput, NotFound
from hookwire_client.generated import (
    AsyncClient,
    Client,
    CompanyConnectInput,
    CompanyCreateInput,
    CompanyRelationInput,
    CompanyWhereUniqueInput,
    EmailsCreateInput,
    FullNameCreateInput,
    FullNameFilterInput,
    FullNameUpdateInput,
    InvoiceCreateInput,
    InvoiceFields,
    InvoiceStageEnum,
    InvoiceUpdateInput,
    PersonCreateInput,
    PersonFields,
    PersonFilterInput,
    PersonUpdateInput,
    StringFilter,
    UUIDFilter,
)

out: dict[str, object] = {}

with Client() as client:
    company = client.create_company(data=CompanyCreateInput(name="Acme"))
    assert company is not None
    out["company"] = company.id

    ada = client.create_person(
        data=PersonCreateInput(
            name=FullNameCreateInput(first_name="Ada", last_name="Lovelace"),
            emails=EmailsCreateInput(
                primary_email="ada@example.com", additional_emails=["ada@analytical.org"]
            ),
            company_id=company.id,
        )
    )
    assert isinstance(ada, PersonFields) and ada.name and ada.emails
    assert (ada.name.first_name, ada.emails.primary_email) == ("Ada", "ada@example.com")
    assert ada.company_id == company.id
    assert isinstance(ada.created_at, datetime.datetime)
    out["ada"] = ada.id

    # The relation by connect, as Twenty's inputs allow.
    grace = client.create_person(
        data=PersonCreateInput(
            name=FullNameCreateInput(first_name="Grace", last_name="Hopper"),
            company=CompanyRelationInput(
                connect=CompanyConnectInput(where=CompanyWhereUniqueInput(id=company.id))
            ),
        )
    )
    assert grace is not None and grace.company_id == company.id
    out["grace"] = grace.id

    updated = client.update_person(
        id=ada.id,
        data=PersonUpdateInput(name=FullNameUpdateInput(last_name="Byron"), job_title="Analyst"),
    )
    assert updated is not None and updated.name is not None
    assert (updated.name.first_name, updated.name.last_name) == ("Ada", "Byron")
    assert updated.job_title == "Analyst"

    page = client.list_people(
        filter_=PersonFilterInput(
            company_id=UUIDFilter(eq=company.id),
            name=FullNameFilterInput(first_name=StringFilter(eq="Ada")),
        ),
        first=10,
    )
    assert page is not None
    out["listed"] = [edge.node.id for edge in page.edges]
    out["total"] = page.total_count

    found = client.get_person(id=grace.id)
    assert found is not None and found.name is not None and found.name.last_name == "Hopper"

    deleted = client.delete_person(id=grace.id)
    assert deleted is not None and deleted.deleted_at is not None
    destroyed = client.destroy_person(id=ada.id)
    assert destroyed is not None and destroyed.id == ada.id
    try:
        client.get_person(id=ada.id)
    except NotFound as error:  # as Twenty answers a get-one that finds nothing
        out["gone"] = error.codes
    try:
        client.update_person(id=ada.id, data=PersonUpdateInput(job_title="x"))
    except NotFound as error:
        out["not_found"] = error.codes
    try:
        client.graphql("mutation { createPerson(data: {city: 5}) { id } }")
    except BadUserInput as error:
        out["bad_input"] = error.codes

    # The custom object: its composite, enum, date and relation fields.
    invoice = client.create_invoice(
        data=InvoiceCreateInput(
            name="INV-1",
            total=120.5,
            paid=False,
            stage=InvoiceStageEnum.DRAFT,
            due_on=datetime.date(2030, 1, 31),
            contact=EmailsCreateInput(primary_email="billing@acme.example"),
            customer_id=company.id,
        )
    )
    assert isinstance(invoice, InvoiceFields)
    assert invoice.stage is InvoiceStageEnum.DRAFT and invoice.due_on == datetime.date(2030, 1, 31)
    assert invoice.contact is not None and invoice.customer_id == company.id
    paid = client.update_invoice(
        id=invoice.id, data=InvoiceUpdateInput(paid=True, stage=InvoiceStageEnum.PAID)
    )
    assert paid is not None and paid.paid is True and paid.stage is InvoiceStageEnum.PAID
    out["invoice"] = invoice.id
    invoices = client.list_invoices()
    assert invoices is not None
    out["invoices"] = invoices.total_count


async def run_async() -> None:
    async with AsyncClient() as client:
        page = await client.list_companies(first=5)
        assert page is not None
        created = await client.create_person(
            data=PersonCreateInput(name=FullNameCreateInput(first_name="Async", last_name="Task"))
        )
        assert created is not None
        results = await asyncio.gather(*(client.get_person(id=created.id) for _ in range(5)))
        assert all(r is not None and r.id == created.id for r in results)
        out["async_person"] = created.id
        out["async_companies"] = page.total_count


asyncio.run(run_async())
print(json.dumps(out))
