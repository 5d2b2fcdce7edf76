"""The machine's ceiling: a bare ASGI app under uvicorn answering a fixed 50 KB body.

Measured in the same run as Rostra, it shows how much of the machine the
benchmark got (other processes on a 2-core box lower every figure alike).

    uvicorn --app-dir bench bare_asgi:app --workers 2
"""

BODY = b"x" * 50_000
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
