"""Weekly digests: builders (digests), the exactly-once record (delivery), the scheduler, the CLI.

The walk of a digest: ``scheduler`` (or ``cli``) → ``runner.run_digests`` → ``digests.build_*``
(queries only) → ``render.digest_*`` → ``delivery`` (claim, post, mark sent).
"""

DIGEST_KINDS: tuple[str, ...] = ("staffing", "supervision", "actions")

__all__ = ["DIGEST_KINDS"]
