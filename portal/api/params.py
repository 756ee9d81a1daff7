"""Reading action parameters the way CKAN's validators do (asbool, natural numbers, lists)."""
from __future__ import annotations

import json
import math

from portal.api.errors import ValidationError

# Deepest nesting any API parameter needs: {"filters": {"column": ["value", ...]}}.
MAX_JSON_DEPTH = 4
TRUE_WORDS = {"true", "1", "yes", "on", "t", "y"}
FALSE_WORDS = {"false", "0", "no", "off", "f", "n", ""}


def one(params: dict, key: str, default: object = None) -> object:
    """A single value: a repeated GET key gives its last value, as CKAN reads scalars."""
    value = params.get(key, default)
    if isinstance(value, list):
        return value[-1] if value else default
    return value


def as_bool(params: dict, key: str, default: bool = False) -> bool:
    """CKAN's asbool: true/false, 1/0, yes/no in any case."""
    value = one(params, key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError({key: [f"Bad boolean value: {value}"]})


def as_int(params: dict, key: str, default: int | None, minimum: int = 0,
           maximum: int | None = None) -> int | None:
    """A natural number; above ``maximum`` it is capped, as ckan.search.rows_max caps rows."""
    value = one(params, key, default)
    if value is None or value == "":
        return default
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({key: ["Invalid integer"]}) from None
    if number < minimum:
        raise ValidationError({key: ["Must be a natural number" if minimum == 0
                                     else f"Must be at least {minimum}"]})
    return min(number, maximum) if maximum is not None else number


def as_list(params: dict, key: str) -> list:
    """A list given as a JSON array, a repeated key, a comma string or a single value."""
    value = params.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v for v in value if v != ""]
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            decoded = json.loads(value)
        except ValueError:
            raise ValidationError({key: ["Invalid JSON list"]}) from None
        return list(decoded) if isinstance(decoded, list) else [decoded]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def require(params: dict, key: str) -> str:
    """A required string parameter (id, name, resource_id)."""
    value = one(params, key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({key: ["Missing value"]})
    return str(value).strip()


class BodyError(ValueError):
    """A body that is not JSON at all (CKAN answers 400 with a bare ``JSON Error`` string)."""


class _NonFinite(float):
    """Infinity or NaN as Python's JSON parser would accept them; refused by ``_walk``."""


def _non_finite(text: str) -> float:
    """Keep the JSON extension constants (Infinity, -Infinity, NaN) recognisable."""
    return _NonFinite(text.replace("Infinity", "inf"))


def _walk(value: object, depth: int) -> str | None:
    """Why ``value`` cannot be a parameter (too deep, not a finite number), or None."""
    if depth > MAX_JSON_DEPTH:
        return f"Nested deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, float) and (isinstance(value, _NonFinite) or not math.isfinite(value)):
        return "Must be a finite number"
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        problem = _walk(child, depth + 1)
        if problem:
            return problem
    return None


def checked(key: str, value: object) -> object:
    """``value`` of parameter ``key``, or a Validation Error when it is too deep or not finite."""
    problem = _walk(value, 1)
    if problem:
        raise ValidationError({key: [problem]})
    return value


def loads(text: str | bytes) -> object:
    """JSON decoded as the API accepts it; BodyError when it is not JSON at all."""
    try:
        return json.loads(text, parse_constant=_non_finite)
    except RecursionError:
        raise BodyError(f"Nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # also a number too long for int()
        raise BodyError(f"Error decoding JSON data. {exc}") from None


def loads_param(params: dict, key: str) -> object:
    """A parameter sent as a JSON string (a GET's ``filters``), decoded and checked."""
    try:
        return checked(key, loads(params[key]))
    except BodyError:
        raise ValidationError({key: ["Cannot parse JSON"]}) from None


def decode_body(raw: str | bytes) -> dict:
    """A request body as action parameters: a JSON object whose values are all checked."""
    body = loads(raw)
    if not isinstance(body, dict):
        raise BodyError(f"Request data JSON decoded to {type(body).__name__} "
                        "but it needs to be a dictionary.")
    return {key: checked(key, value) for key, value in body.items()}
