"""What arrives at /slack/events, checked before Bolt sees it: the signature, then the payload.

Bolt checks signatures too, but when one is wrong it logs the whole request body (the user id,
the command text, the response_url) at INFO; and it decodes and parses the body assuming it is
well formed, so a signed non-UTF-8 body, `payload=not-json` or a JSON array became a 500 with a
traceback. So the signature is checked here first, over the raw bytes (slack_sdk's verifier
decodes them as UTF-8 first and would raise), and Bolt only ever sees signed, well-formed
requests: 401 for a bad or stale signature, 400 for a malformed payload, and nothing logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

SIGNATURE_VERSION = "v0"


def signed_by_slack(
    body: bytes, headers: Mapping[str, str], signing_secret: str, max_age_seconds: int,
    now: Callable[[], float] = time.time,
) -> bool:
    """Slack's v0 signature (HMAC-SHA256 of "v0:timestamp:body") over the raw body, with a
    timestamp no further than `max_age_seconds` from now (replayed requests are refused)."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or not signature or not signing_secret:
        return False
    if abs(now() - int(timestamp)) > max_age_seconds:
        return False
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    expected = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"{SIGNATURE_VERSION}={expected}", signature)


def slack_payload(body: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The request as Bolt will read it — a JSON object, or a form whose `payload` field (if any)
    is a JSON object — or None when it is not one (then the answer is 400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return {}
    media_type = (content_type or "").split(";")[0].strip().lower()
    try:
        if media_type == "application/json" or text.startswith(("{", "[")):
            parsed: Any = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            parsed = json.loads(form["payload"]) if "payload" in form else form
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


__all__ = ["signed_by_slack", "slack_payload"]
