"""Refuse oversized request bodies, and addresses holding a NUL, before any handler runs."""

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class RequestSizeLimit:
    """Checks Content-Length up front and counts streamed bytes as they arrive.

    It also refuses a path or query string with a NUL character: no field
    may hold one, and PostgreSQL would fail on it in a text comparison.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            message = "The address holds a NUL character, which no field may contain."
            await _refuse(send, 400, "invalid_request", message)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(send)
            return
        if declared is None and b"transfer-encoding" in headers:
            # A body sent in chunks, without a length: read it here, since a
            # handler's body parsing would turn an error raised while it reads
            # into a 400 (bodies are small, so holding one costs little).
            buffered = await self._buffered(receive)
            if buffered is None:
                await self._too_large(send)
                return
            receive = _replayed(buffered, receive)
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send)

    async def _buffered(self, receive: Receive) -> list[Message] | None:
        """The request's messages up to the end of its body; None past the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages

    async def _too_large(self, send: Send) -> None:
        message = f"The request is larger than {self.max_bytes} bytes."
        await _refuse(send, 413, "request_too_large", message)


def _replayed(messages: list[Message], receive: Receive) -> Receive:
    """Gives the buffered messages, then whatever comes next (a disconnect)."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = orjson.dumps({"error": code, "message": message})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
