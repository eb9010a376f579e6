"""The bundled CRM connector's actions, keyed as a definition's ``creates`` are."""

from hookwire.actions import crud_record, send_email

CREATES = {crud_record.KEY: crud_record.ACTION, send_email.KEY: send_email.ACTION}

__all__ = ["CREATES"]
