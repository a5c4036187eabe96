"""Chat front ends: `slack/` and `teams/`, served together by `server.py`. Thin by design."""
