"""Drive the Agents Playground's web page in a headless Chromium over the DevTools protocol.

A QA aid, not part of the bot: `python playground/cdp.py URL 'js:EXPR' 'shot:FILE' 'sleep:2' …`
against a Chromium started with --remote-debugging-port (CDP_PORT, default 3903). Each step is
`js:` (evaluate, print the result), `type:` (a message, sent), `keys:` (text where the focus is), `enter:`,
`click:X,Y`, `shot:` (PNG screenshot) or `sleep:` (seconds).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import sys

import aiohttp

FOCUS_INPUT = ("(document.querySelector('[role=textbox][contenteditable=true], textarea, "
               "input[placeholder^=\"Type\"]') || document.body).focus()")
CDP = f"http://127.0.0.1:{os.environ.get('CDP_PORT', '3903')}"


async def main(url: str, steps: list[str]) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{CDP}/json/list") as listed:
            pages = [t for t in await listed.json() if t["type"] == "page"]
        if not pages:
            async with http.put(f"{CDP}/json/new?about:blank") as made:
                pages = [await made.json()]
        ids = itertools.count(1)
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:

            async def call(method: str, **params: object) -> dict:
                number = next(ids)
                await ws.send_json({"id": number, "method": method, "params": params})
                async for message in ws:
                    data = json.loads(message.data)
                    if data.get("id") == number:
                        if "error" in data:
                            raise RuntimeError(data["error"])
                        return data["result"]
                raise RuntimeError("DevTools connection closed")

            await call("Emulation.setDeviceMetricsOverride", width=1400, height=1000,
                       deviceScaleFactor=1, mobile=False)
            if url != "-":
                await call("Page.navigate", url=url)
                await asyncio.sleep(4)
            for step in steps:
                kind, _, arg = step.partition(":")
                if kind == "sleep":
                    await asyncio.sleep(float(arg))
                elif kind == "shot":
                    shot = await call("Page.captureScreenshot", format="png")
                    with open(arg, "wb") as out:
                        out.write(base64.b64decode(shot["data"]))
                    print("saved", arg)
                elif kind in ("type", "keys", "enter"):  # type: into the message box + Enter;
                    if kind == "type":                    # keys: text where focus is; enter
                        await call("Runtime.evaluate", expression=FOCUS_INPUT)
                    if kind != "enter":
                        await call("Input.insertText", text=arg)
                    if kind != "keys":
                        for event in ("keyDown", "keyUp"):
                            await call("Input.dispatchKeyEvent", type=event, key="Enter",
                                       code="Enter", windowsVirtualKeyCode=13)
                elif kind == "click":  # at x,y in CSS pixels
                    x, y = (float(n) for n in arg.split(","))
                    for event in ("mousePressed", "mouseReleased"):
                        await call("Input.dispatchMouseEvent", type=event, x=x, y=y,
                                   button="left", clickCount=1)
                elif kind == "js":
                    result = await call("Runtime.evaluate", expression=arg, awaitPromise=True,
                                        returnByValue=True)
                    print(json.dumps(result.get("result", {}).get("value"))[:4000])


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
