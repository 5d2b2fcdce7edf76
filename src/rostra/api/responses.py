"""Compact JSON responses serialised with orjson."""

from typing import Any

import orjson
from starlette.responses import JSONResponse


class CompactJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
