"""The OpenAPI description as clients see the API.

FastAPI documents a 422 with its own validation-error body on every route
with parameters; Rostra answers bad input with 400 and `{"error", "message"}`
instead (`api/errors`). Clients generated from the description must expect
what the server sends, so each operation documents 400 with `ErrorOut`, and
the 422 and its schemas are taken out.
"""

from typing import Any

from fastapi import FastAPI

_BAD_INPUT = {
    "description": "Bad input: the message says what was wrong",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def as_served(schema: dict[str, Any]) -> dict[str, Any]:
    """The generated description with its error answers made to match the server's."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            validated = responses.pop("422", None) is not None
            if validated or operation.get("parameters") or "requestBody" in operation:
                responses.setdefault("400", _BAD_INPUT)
    schemas = schema.get("components", {}).get("schemas", {})
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    return schema


def describe_as_served(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = as_served(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
