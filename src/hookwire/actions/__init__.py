"""The bundled CRM connector's actions, keyed as a definition's ``creates`` are."""

from hookwire.actions import crud_record

CREATES = {crud_record.KEY: crud_record.ACTION}

__all__ = ["CREATES"]
