"""A Poster that records instead of posting, for the exactly-once tests that need no Slack."""

from __future__ import annotations

import threading
import time
from datetime import date

from sqlmodel import Session

from jobs.delivery import PostFailed
from jobs.digest_results import Digest


class RecordingPoster:
    """Posts to "test:<service id>:<n>" destinations; fails when told to; can be slow."""

    def __init__(self, per_service: int = 2, delay_s: float = 0.0) -> None:
        self.per_service = per_service
        self.delay_s = delay_s
        self.posts: list[tuple[str, str, str, str | None]] = []  # (destination, kind, period, ref)
        self.failures: dict[str, list[Exception]] = {}
        self._lock = threading.Lock()

    def fail(self, destination: str, *errors: Exception) -> None:
        self.failures.setdefault(destination, []).extend(errors)

    def handles(self, destination: str) -> bool:
        return destination.startswith("test:")

    def destinations(self, session: Session, service_ids: list[int], as_of: date
                     ) -> dict[int, list[str]]:
        return {service_id: [f"test:{service_id}:{n}" for n in range(self.per_service)]
                for service_id in service_ids}

    def post(self, destination: str, digest: Digest, message_ref: str | None = None) -> str:
        time.sleep(self.delay_s)
        with self._lock:
            queued = self.failures.get(destination)
            if queued:
                raise queued.pop(0)
            self.posts.append((destination, digest.header.kind, digest.header.period,
                               message_ref))
            return message_ref or f"ref-{len(self.posts)}"

    def posted_to(self, destination: str) -> int:
        return sum(1 for post in self.posts if post[0] == destination and post[3] is None)


__all__ = ["PostFailed", "RecordingPoster"]
