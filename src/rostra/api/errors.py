"""Every error leaves as JSON: {"error": code, "message": text}."""

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from starlette.exceptions import HTTPException

from rostra.api.responses import CompactJSON
from rostra.errors import Refused, RostraError

log = logging.getLogger("rostra.api")

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int, code: str, message: str, headers: dict | None = None
) -> CompactJSON:
    return CompactJSON({"error": code, "message": message}, status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":
        position = first.get("loc", [None, None])[-1]
        return "malformed_json", f"The request body is not valid JSON (near position {position})."
    loc = list(first.get("loc", ()))
    if loc[:1] == ["body"]:  # where FastAPI found it, not a field (one field is itself "body")
        loc = loc[1:]
    where = ".".join(map(str, loc)) or "request"
    return "invalid_request", f"{where}: {first.get('msg', 'invalid value')}"


def _body_not_json(request: Request, exc: RequestValidationError) -> bool:
    """The whole body was refused and it was declared as something other than JSON."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    whole_body = any(tuple(error.get("loc", ())) == ("body",) for error in exc.errors())
    return whole_body and kind != "" and kind != "application/json" and not kind.endswith("+json")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RostraError)
    async def _rostra_error(_request: Request, exc: RostraError):
        if isinstance(exc, Refused):
            headers = (
                {"Retry-After": str(exc.details["retry_after"])}
                if "retry_after" in exc.details
                else None
            )
            body = {"error": exc.code, "message": exc.message, **exc.details}
            return CompactJSON(body, status_code=exc.status, headers=headers)
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        if _body_not_json(request, exc):
            message = "The request body must be JSON, sent with Content-Type: application/json."
            return error_response(415, "unsupported_media_type", message)
        code, message = _describe_validation(exc)
        return error_response(400, code, message)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(SQLAlchemyOperationalError)
    @app.exception_handler(psycopg.OperationalError)
    async def _database_down(_request: Request, exc: Exception):
        # The database is unreachable or restarting: say so and let clients
        # retry; pooled connections are re-checked (pre-ping) once it is back.
        log.warning("database unavailable: %s", exc)
        return error_response(
            503, "database_unavailable", "The database is unavailable; try again shortly.",
            {"Retry-After": "5"},
        )  # fmt: skip

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        log.exception("unexpected error", exc_info=exc)
        return error_response(500, "internal_error", "Something went wrong on the server.")
