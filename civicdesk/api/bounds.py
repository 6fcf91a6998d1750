"""Every integer the API accepts fits the database: one rule for all operations.

Ids and counts arrive as JSON numbers, form fields, query strings and path segments, and
pydantic's ``int`` takes any size. A number past 64 bits reached the database as is: SQLite
raised OverflowError (a 500, e.g. merging clusters with a huge id) and PostgreSQL refuses it in
a bigint column. Rather than remember a bound on each of hundreds of parameters, the API, once
its routers are added, gives every integer field of every operation's input (path, query,
header, cookie, body and form, nested models and lists included) PostgreSQL's bigint range,
which SQLite's INTEGER shares, unless the field has a narrower bound of its own. A number out
of range is then a 422 naming the field, like any other bad value. Integers stored in narrower
columns (weights, percentages, scores) keep their own, tighter bounds.

Only pydantic's public means are used: each field's type gets the bounds ``Field(ge=, le=)``
makes, through ``model_fields``, and the model is rebuilt with ``model_rebuild(force=True)``.
The operations come from ninja's routers as added to the API (``api._routers``, the one name
ninja keeps for that; ninja is pinned).
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Union, get_args, get_origin

from ninja import NinjaAPI
from pydantic import BaseModel, Field

BIGINT_MIN = -(2**63)
BIGINT_MAX = 2**63 - 1


def _bound_of(item: Any, *names: str) -> Any:
    for name in names:
        value = getattr(item, name, None)
        if isinstance(value, int):
            return value
    return None


def _missing_bounds(metadata: list) -> list:
    """The bigint bounds to add to an int whose own bounds are ``metadata`` (pydantic's
    ``Ge``/``Gt``/``Le``/``Lt``): a narrower bound of its own stays, a wider one is tightened
    by the one added. The bounds are made by ``Field(ge=, le=)`` itself."""
    lows = [_bound_of(m, "ge", "gt") for m in metadata]
    highs = [_bound_of(m, "le", "lt") for m in metadata]
    wanted = {}
    if not any(low is not None and low >= BIGINT_MIN for low in lows):
        wanted["ge"] = BIGINT_MIN
    if not any(high is not None and high <= BIGINT_MAX for high in highs):
        wanted["le"] = BIGINT_MAX
    return list(Field(**wanted).metadata) if wanted else []


def _flat(metadata: typing.Iterable) -> list:
    """Bounds given as ``Field(ge=…)`` inside ``Annotated`` carry theirs in ``.metadata``."""
    flat = []
    for item in metadata:
        flat.append(item)
        flat.extend(getattr(item, "metadata", None) or [])
    return flat


def _bounded(tp: Any, seen: set[type]) -> Any:
    """``tp`` with every int in it bounded (in lists, unions, dicts, tuples, nested models)."""
    if tp is int:
        return Annotated[int, *_missing_bounds([])]
    origin = get_origin(tp)
    if origin is Annotated:
        base, *metadata = get_args(tp)
        if base is int:
            return Annotated[int, *metadata, *_missing_bounds(_flat(metadata))]
        return Annotated[_bounded(base, seen), *metadata]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        bound_model(tp, seen)
        return tp
    args = get_args(tp)
    if origin is None or not args or origin is typing.Literal:
        return tp
    new_args = tuple(_bounded(arg, seen) for arg in args)
    if new_args == args:
        return tp
    if origin in (Union, types.UnionType):
        return Union[new_args]  # noqa: UP007 (built from a tuple)
    if isinstance(tp, types.GenericAlias):
        return types.GenericAlias(origin, new_args)
    return tp.copy_with(new_args)


def bound_model(model: type[BaseModel], seen: set[type] | None = None) -> None:
    """Bound every int field of ``model`` (and of the models it holds), then rebuild it."""
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    changed = False
    for field in model.model_fields.values():
        if field.annotation is int:
            added = _missing_bounds(_flat(field.metadata))
            if added:
                field.metadata.extend(added)
                changed = True
            continue
        bounded = _bounded(field.annotation, seen)
        if bounded is not field.annotation:
            field.annotation = bounded
            changed = True
    if changed or any(isinstance(t, type) and issubclass(t, BaseModel) for t in _models_in(model)):
        model.model_rebuild(force=True)


def _models_in(model: type[BaseModel]) -> list[type]:
    found = []

    def walk(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            found.append(tp)
        for arg in get_args(tp):
            walk(arg)

    for field in model.model_fields.values():
        walk(field.annotation)
    return found


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
    seen: set[type] = set()
    for model in input_models(api):
        bound_model(model, seen)
