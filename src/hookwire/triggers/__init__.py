"""The bundled CRM connector's triggers, keyed as a definition's ``triggers`` are."""

from hookwire.triggers import find_object_names_singular, list_record_ids, trigger_record

TRIGGERS = {
    module.KEY: module.TRIGGER
    for module in (find_object_names_singular, list_record_ids, trigger_record)
}

__all__ = ["TRIGGERS"]
