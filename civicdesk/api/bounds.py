"""Every integer the API accepts fits the database: one rule for all operations.

Ids and counts arrive as JSON numbers, form fields, query strings and path segments, and
pydantic's ``int`` takes any size. A number past 64 bits reached the database as is: SQLite
raised OverflowError (a 500, e.g. merging clusters with a huge id) and PostgreSQL refuses it in
a bigint column. Rather than remember a bound on each of hundreds of parameters, the API, once
its routers are added, rebuilds the validator of every operation's input (path, query, header,
cookie, body and form) with each integer held to PostgreSQL's bigint range, which SQLite's
INTEGER shares, unless the field has a narrower bound of its own. A number out of range is then
a 422 naming the field, like any other bad value. Integers stored in narrower columns
(weights, percentages, scores) keep their own, tighter bounds.

The OpenAPI document is left as it is: nested schemas are shared with the responses, which
must not advertise input limits.

This takes validators apart and builds them again through pydantic-core's own means
(``__reduce__``, ``SchemaValidator(_use_prebuilt=False)``) and reads ninja's ``api._routers``,
none of which is public API: pydantic and pydantic-core are pinned in pyproject.toml for it,
and tests/test_integer_bounds.py checks, on every upgrade, that the pins are the versions
installed and that every integer of every operation is still bounded.
"""

from typing import Any

from ninja import NinjaAPI
from pydantic import BaseModel
from pydantic_core import SchemaValidator

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1


def _bound(schema: Any) -> Any:
    """A copy of a pydantic-core schema whose int schemas stay within bigint."""
    if isinstance(schema, list):
        return [_bound(item) for item in schema]
    if not isinstance(schema, dict):
        return schema  # classes, functions and plain values are shared, never changed
    bounded = {key: _bound(value) for key, value in schema.items()}
    if bounded.get("type") == "int":
        if "gt" not in bounded:
            bounded["ge"] = max(bounded.get("ge", BIGINT_MIN), BIGINT_MIN)
        if "lt" not in bounded:
            bounded["le"] = min(bounded.get("le", BIGINT_MAX), BIGINT_MAX)
    return bounded


def validator_schema(model: type[BaseModel]) -> tuple[dict, dict | None]:
    """The core schema and configuration ``model``'s validator was built from (pickling's
    own way of taking a validator apart, so that it can be built again)."""
    _cls, (schema, config, *_rest) = model.__pydantic_validator__.__reduce__()
    return schema, config


def bound_model(model: type[BaseModel]) -> None:
    schema, config = validator_schema(model)
    # Not prebuilt: pydantic-core would otherwise validate a nested schema with that class's
    # own, unbounded validator instead of the bounded schema given here.
    model.__pydantic_validator__ = SchemaValidator(_bound(schema), config, _use_prebuilt=False)


def input_models(api: NinjaAPI) -> list[type[BaseModel]]:
    """The models ninja validates each operation's request data with."""
    return [
        model
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        for model in operation.models
    ]


def bound_integers(api: NinjaAPI) -> None:
    """Hold every integer of every operation's input to the database's range; call it once
    the routers are added."""
    for model in input_models(api):
        bound_model(model)
