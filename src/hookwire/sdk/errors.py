"""The one error a client build raises, whatever step failed; the message says which."""


class GenerationError(Exception):
    """The client could not be generated (the code generator could not be installed or
    failed, or the schema has nothing to generate)."""
