"""Building a large schema fast: graphql-core's name check remembered, no collection meanwhile.

A workspace's records schema holds some 50,000 field names (Twenty's aggregates give every
connection a few hundred) and is rebuilt after every metadata change. Measured on 50 objects of
30 fields: graphql-core's character-by-character check of every name, though only a few
thousand are distinct, was three quarters of the build; and the garbage collector, set off
again and again by the allocations, walked every live object of the process each time it
reached the oldest generation, doubling what was left and making it vary fivefold.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager

from graphql.type import definition
from graphql.type.assert_name import assert_name

# A pure function of the name. Distinct names across all schemas stay in the thousands; the
# bound is a guard.
_remembered_check = functools.lru_cache(maxsize=100_000)(assert_name)


@contextmanager
def fast_schema_build() -> Iterator[None]:
    """Build types with the remembered name check and without garbage collection (the
    build's objects all live on with the schema; there is nothing for it to free)."""
    definition.assert_name = _remembered_check  # type: ignore[attr-defined]
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
