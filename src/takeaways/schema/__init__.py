"""Published JSON Schemas of every result (``<name>.schema.json``) and a validator."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

BASE = "https://takeaways.invalid/schema/"
NAMES = ("article", "key_points", "quotes", "audit", "analysis")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema for a result type: article, key_points, quotes or audit."""
    text = resources.files("takeaways.schema").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(instance: dict[str, Any], name: str) -> None:
    """Raise ``jsonschema.ValidationError`` when ``instance`` does not match the schema."""
    import jsonschema
    from referencing import Registry, Resource

    resources_ = []
    for other in NAMES:
        try:
            resource = Resource.from_contents(load_schema(other))
            resources_.append((BASE + f"{other}.schema.json", resource))
        except FileNotFoundError:
            continue
    registry: Registry[Any] = Registry().with_resources(resources_)
    jsonschema.Draft202012Validator(load_schema(name), registry=registry).validate(instance)
