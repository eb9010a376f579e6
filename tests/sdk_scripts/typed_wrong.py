"""Checked with ``mypy --strict`` and expected to fail on exactly the marked lines: a setup
that lost the generated types (everything ``Any``) would pass typed.py silently."""

from __future__ import annotations

from hookwire_client.generated import Client, PersonCreateInput, PersonFields


def wrong(client: Client) -> int:
    person = client.get_person(id=42)  # error: arg-type
    assert person is not None
    client.create_person(data=PersonCreateInput(nickname="Ada"))  # error: call-arg
    fields: PersonFields = person
    return fields.name  # error: return-value
