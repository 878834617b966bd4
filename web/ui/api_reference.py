"""A readable API reference built from the app's own OpenAPI description (no Swagger UI, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR_SCHEMA = "ErrorOut"


@dataclass(frozen=True)
class Field:
    """A parameter or a schema property: name, type in words, required or not, what it is."""

    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""  # path, query or header for parameters; empty for schema properties


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Field, ...]
    body: str | None  # the request body's type in words
    success: tuple[str, str]  # (status, the response's type in words)
    errors: tuple[str, ...]  # status codes that come back with an error body

    @property
    def anchor(self) -> str:
        return f"{self.method.lower()}-" + "".join(c if c.isalnum() else "-" for c in self.path).strip("-")


@dataclass(frozen=True)
class Schema:
    """A named object type with its fields."""

    name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class ApiReference:
    title: str
    version: str
    operations: tuple[Operation, ...]
    schemas: tuple[Schema, ...]


def type_words(schema: dict[str, Any] | bool) -> str:
    """A JSON Schema fragment as a short phrase: "integer", "list of Answer", "string or null"."""
    if not isinstance(schema, dict):  # `true` (anything goes) is a schema too
        return "any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(dict.fromkeys(type_words(s) for s in schema["anyOf"]))
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_words(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema:
        return "map of " + type_words(schema["additionalProperties"])
    if kind == "null":
        return "null"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    limits = [f"{label} {schema[key]}" for key, label in (("minimum", "≥"), ("maximum", "≤"), ("maxLength", "up to")) if key in schema]
    return kind + (f" ({', '.join(limits)}{' characters' if 'maxLength' in schema else ''})" if limits else "")


def _json_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    return (content or {}).get("application/json", {}).get("schema")


def _referenced(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if "$ref" in node:
            found.add(node["$ref"].rsplit("/", 1)[-1])
        for value in node.values():
            _referenced(value, found)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, found)


def build_reference(spec: dict[str, Any], *, prefix: str) -> ApiReference:
    """The operations under `prefix` and every schema they use, directly or through other schemas."""
    operations = []
    used: set[str] = set()
    for path, methods in spec.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        for method, op in methods.items():
            responses = op.get("responses", {})
            ok = sorted(code for code in responses if code.startswith("2"))
            success_code = ok[0] if ok else "200"
            success_schema = _json_schema(responses.get(success_code, {}).get("content"))
            body_schema = _json_schema(op.get("requestBody", {}).get("content"))
            operations.append(Operation(
                method=method.upper(),
                path=path,
                summary=op.get("summary", ""),
                description=op.get("description", ""),
                parameters=tuple(
                    Field(p["name"], type_words(p.get("schema", {})), bool(p.get("required")), p.get("description", ""), p["in"])
                    for p in op.get("parameters", [])
                ),
                body=type_words(body_schema) if body_schema else None,
                success=(success_code, type_words(success_schema) if success_schema else "no body"),
                errors=tuple(sorted(code for code in responses if not code.startswith("2"))),
            ))
            _referenced({"responses": responses, "body": body_schema}, used)
    components = spec.get("components", {}).get("schemas", {})
    pending = set(used)
    while pending:  # schemas reached through other schemas' fields
        found: set[str] = set()
        for name in pending:
            _referenced(components.get(name, {}), found)
        pending = found - used
        used |= found
    schemas = tuple(
        Schema(name, tuple(
            Field(prop, type_words(sub), prop in components[name].get("required", []), sub.get("description", ""))
            for prop, sub in components[name].get("properties", {}).items()
        ))
        for name in sorted(used)
        if name in components
    )
    info = spec.get("info", {})
    return ApiReference(info.get("title", ""), info.get("version", ""), tuple(operations), schemas)
