"""Errors a client can cause, each with a stable code and a message for people."""


class RostraError(Exception):
    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidInput(RostraError):
    status = 400


class NotFound(RostraError):
    status = 404


class Forbidden(RostraError):
    status = 403


class Conflict(RostraError):
    status = 409


class TooLarge(RostraError):
    status = 413


class Refused(RostraError):
    """The comment was not taken (flood, suspension, a nudge to reconsider)."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(code, message)
        self.status = status
        self.details = details or {}


class Unauthorized(RostraError):
    """A credential (sign-in token, session, link) was missing, bad or expired."""

    status = 401
