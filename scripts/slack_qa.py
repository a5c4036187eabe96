"""Try `bot.py serve` as Slack would: the recording fake Web API, real signed slash commands over
HTTP (or Socket Mode envelopes), and the answers Slack would show, printed as text.

    python scripts/slack_qa.py http   --port 3920 "U0DEMO002:/caseload" "U0DEMO005:/protected"
    python scripts/slack_qa.py socket --port 3921 "U0DEMO002:/actions overdue"
    python scripts/slack_qa.py http "U0DEMO002:dm:caseload" "U0DEMO002:home"   # a DM, App Home

The bot runs as a child process on the store DATABASE_URL names (seed it first: `make run`),
with SLACK_API_URL pointing at tests/fakes/slack_api.py; demo staff U0DEMO001…006 are its users.
The bot's log goes to /tmp/slack_qa_bot.log. A QA aid, not part of the bot.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeSlackApi  # noqa: E402
from tests.fakes.slack_socket_mode import FakeSocketMode  # noqa: E402

SECRET = "qa-signing-secret"
LOG = "/tmp/slack_qa_bot.log"  # the bot's own log
TEAM = "T0TEST"  # what the fake's auth.test reports
DEMO_USERS = {f"U0DEMO00{n}": email for n, email in enumerate(
    ["gemma.owen", "rachel.bell", "eleanor.harris", "olivia.baker", "zoe.collins",
     "tanya.hall"], start=1)}


def block_text(blocks: list[dict]) -> str:
    """What a person reads in a Block Kit message, roughly."""
    lines: list[str] = []
    for block in blocks or []:
        text = block.get("text")
        if isinstance(text, dict):
            lines.append(text.get("text", ""))
        for field in block.get("fields") or []:
            lines.append("  " + field.get("text", ""))
        for element in block.get("elements") or []:
            if element.get("type") in ("mrkdwn", "plain_text"):
                lines.append(element.get("text", ""))
            elif element.get("type") == "button":
                lines.append(f"[{element['text']['text']}]")
    return "\n".join(lines)


def command_form(user: str, words: str, response_url: str, team: str = TEAM) -> dict[str, str]:
    command, _, text = words.partition(" ")
    return {"token": "x", "team_id": team, "team_domain": "test-council",
            "channel_id": "D0QA", "channel_name": "directmessage", "user_id": user,
            "user_name": user.lower(), "command": command, "text": text, "api_app_id": "A0QA",
            "is_enterprise_install": "false", "response_url": response_url,
            "trigger_id": "1.2.qa"}


def event_body(user: str, words: str, number: int, team: str = TEAM) -> dict:
    """`dm:TEXT` (a direct message to the bot) or `home` (the App Home tab opened)."""
    if words.startswith("dm:"):
        event = {"type": "message", "channel_type": "im", "channel": "D0QA", "user": user,
                 "text": words[3:], "ts": f"1700000000.{number:06d}"}
    else:
        event = {"type": "app_home_opened", "user": user, "channel": "D0QA", "tab": "home"}
    return {"token": "x", "team_id": team, "api_app_id": "A0QA", "type": "event_callback",
            "event_id": f"Ev0QA{number:04d}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}]}


def signed_post(url: str, body: bytes, secret: str = SECRET,
                content_type: str = "application/x-www-form-urlencoded",
                ) -> tuple[int, bytes, float]:
    stamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), time.monotonic() - started
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(), time.monotonic() - started


def ask_event(args: argparse.Namespace, slack: FakeSlackApi, socket_mode: FakeSocketMode | None,
              user: str, words: str, number: int) -> None:
    """Send a DM or App Home event; print the chat.postMessage or views.publish it causes."""
    body = event_body(user, words, number, args.from_team)
    method = "chat.postMessage" if words.startswith("dm:") else "views.publish"
    before = len(slack.calls_to(method))
    if socket_mode:
        socket_mode.send_envelope("events_api", body, f"env-{number}")
        try:
            print("ack:", json.dumps(socket_mode.wait_for_ack(f"env-{number}", timeout=5)))
        except AssertionError:
            print("no ack (refused)")
            return
    else:
        status, answer, seconds = signed_post(
            f"http://127.0.0.1:{args.port}/slack/events", json.dumps(body).encode(),
            args.sign_with, "application/json")
        print(f"ack HTTP {status} in {seconds:.2f}s: {answer[:200]!r}")
    try:
        calls = slack.wait_for(method, count=before + 1, timeout=5)
    except AssertionError as missing:
        print("no answer:", missing)
        return
    posted = calls[-1].body
    blocks = posted.get("blocks") or (posted.get("view") or {}).get("blocks") or []
    print(f"{method} blocks={len(blocks)} channel={posted.get('channel')}")
    print(block_text(blocks) or posted.get("text"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["http", "socket"])
    parser.add_argument("--port", type=int, default=3920)
    parser.add_argument("--team", default=TEAM, help="SLACK_TEAM_ID for the bot")
    parser.add_argument("--from-team", default=TEAM, help="team_id the requests carry")
    parser.add_argument("--sign-with", default=SECRET, help="the secret requests are signed with")
    parser.add_argument("asks", nargs="+", help="USER_ID:/command text")
    args = parser.parse_args()

    slack = FakeSlackApi().start()
    socket_mode = FakeSocketMode().start() if args.mode == "socket" else None
    if socket_mode:
        slack.socket_mode_url = socket_mode.url
    for user, local in DEMO_USERS.items():
        slack.add_user(user, email=f"{local}@northshire.gov.uk")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SLACK_", "TEAMS_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-qa", SLACK_API_URL=slack.url, SLACK_TEAM_ID=args.team,
               HOST="127.0.0.1", PORT=str(args.port))
    if socket_mode:
        env["SLACK_APP_TOKEN"] = "xapp-qa"
    else:
        env["SLACK_SIGNING_SECRET"] = SECRET
    log = open(LOG, "w")  # noqa: SIM115  (closed with the bot)
    bot = subprocess.Popen([sys.executable, "bot.py", "serve", "--no-scheduler"], cwd=ROOT,
                           env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                break
            except OSError:
                if bot.poll() is not None:
                    print("bot exited", bot.returncode)
                    return 1
                time.sleep(0.2)
        if socket_mode:
            socket_mode.wait_connected(15)
        for number, ask in enumerate(args.asks, start=1):
            user, _, words = ask.partition(":")
            response_url = slack.response_url(f"commands/{number}")
            print(f"=== {user} {words}")
            if not words.startswith("/"):
                ask_event(args, slack, socket_mode, user, words, number)
                continue
            form = command_form(user, words, response_url, args.from_team)
            if socket_mode:
                started = time.monotonic()
                socket_mode.send_envelope("slash_commands", form, f"env-{number}")
                try:
                    ack = socket_mode.wait_for_ack(f"env-{number}", timeout=5)
                except AssertionError:
                    print("no ack (refused)")
                    continue
                print(f"ack {time.monotonic() - started:.2f}s: {json.dumps(ack)[:200]}")
            else:
                status, body, seconds = signed_post(
                    f"http://127.0.0.1:{args.port}/slack/events", urlencode(form).encode(),
                    args.sign_with)
                print(f"ack HTTP {status} in {seconds:.2f}s: {body[:200]!r}")
            try:
                posted = slack.wait_for("response_url", timeout=5,
                                        where=lambda call: call.path.endswith(f"/{number}"))
            except AssertionError as missing:
                print("no answer:", missing)
                continue
            answer = posted[-1].body
            print(f"blocks={len(answer.get('blocks') or [])} "
                  f"response_type={answer.get('response_type')} "
                  f"replace_original={answer.get('replace_original')}")
            print(block_text(answer.get("blocks")) or answer.get("text"))
        others = [call.method for call in slack.calls if call.method != "response_url"]
        print("=== other Web API calls:", others)
    finally:
        bot.terminate()
        bot.wait(10)
        log.close()
        if socket_mode:
            socket_mode.stop()
        slack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
