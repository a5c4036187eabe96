"""The log scrubbing (handlers/log_safety.py) keeps every log line readable: uvicorn's access log,
whose formatter unpacks the record's five arguments, still prints its line, without a query
string or a token."""

from __future__ import annotations

import logging

from uvicorn.logging import AccessFormatter

from handlers.log_safety import install_log_scrubbing

ACCESS_FORMAT = '%(client_addr)s - "%(request_line)s" %(status_code)s'


def access_record(path: str, status: int) -> logging.LogRecord:
    """A record as uvicorn's h11/httptools protocols make it, through the record factory."""
    install_log_scrubbing()
    return logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:41420", "POST", path, "1.1", status), None)


def test_an_access_log_line_is_formatted_not_a_logging_error() -> None:
    line = AccessFormatter(ACCESS_FORMAT, use_colors=False).format(
        access_record("/api/messages", 202))
    assert line == '127.0.0.1:41420 - "POST /api/messages HTTP/1.1" 202 Accepted'


def test_an_access_log_line_shows_no_query_string_or_token() -> None:
    line = AccessFormatter(ACCESS_FORMAT, use_colors=False).format(
        access_record("/slack/events?token=xoxb-1-secret&text=Secret-9c2e", 401))
    assert "/slack/events" in line and "401" in line
    assert "xoxb-1-secret" not in line and "Secret-9c2e" not in line
