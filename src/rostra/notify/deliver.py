"""Posting one event to one webhook, signed so the receiver can trust it."""

from datetime import datetime

import httpx
import orjson

from rostra import __version__
from rostra.notify.failure import DeliveryFailed
from rostra.notify.signing import webhook_signature


def post_event(
    client: httpx.Client,
    *,
    url: str,
    secret: str,
    event: str,
    delivery_id: int,
    body: dict,
    now: datetime,
) -> int:
    """The HTTP status of a 2xx answer; anything else raises DeliveryFailed.

    410 Gone means the receiver wants no more deliveries: permanent.
    Redirects are not followed (the receiver's address is what the admin set).
    """
    content = orjson.dumps(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Rostra/{__version__}",
        "Rostra-Event": event,
        "Rostra-Delivery": str(delivery_id),
        "Rostra-Signature": webhook_signature(secret, int(now.timestamp()), content),
    }
    try:
        response = client.post(url, content=content, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:500]) from None
    if 200 <= response.status_code < 300:
        return response.status_code
    raise DeliveryFailed(
        f"HTTP {response.status_code}", status=response.status_code,
        permanent=response.status_code == 410,
    )  # fmt: skip
