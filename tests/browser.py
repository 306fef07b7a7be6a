"""Open a page in headless Chromium over the DevTools protocol: screenshot, console errors, broken images.

Uses Debian's ``chromium`` and the ``websocket-client`` package (already a Jupyter dependency).
Chromium listens on a loopback port only and is started with its background networking off.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PageCheck:
    console_errors: list[str] = field(default_factory=list)
    broken_images: int = 0
    images: int = 0
    headings: int = 0
    plots: int = 0
    title: str = ""
    screenshot: Path | None = None


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def check_page(html: Path, screenshot: Path, timeout: float = 60) -> PageCheck:
    import websocket

    exe = chromium()
    if exe is None:
        raise RuntimeError(
            "Debian's chromium is not installed (make test installs it when run as root)"
        )
    profile = tempfile.mkdtemp(prefix="lip-chromium-")
    proc = subprocess.Popen(
        [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", "--window-size=1280,2000", "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.time() + timeout
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        import urllib.request

        targets = json.loads(
            urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10).read()
        )
        page = next(t for t in targets if t["type"] == "page")
        ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True
        )
        result = PageCheck()
        counter = iter(range(1, 10_000))

        def call(method: str, **params):
            msg_id = next(counter)
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                _collect(msg, result)
                if msg.get("id") == msg_id:
                    return msg.get("result", {})

        for domain in ("Page", "Runtime", "Log"):
            call(f"{domain}.enable")
        call("Page.navigate", url=html.resolve().as_uri())
        while True:  # wait for the load event, collecting console messages meanwhile
            msg = json.loads(ws.recv())
            _collect(msg, result)
            if msg.get("method") == "Page.loadEventFired":
                break
        time.sleep(1.0)
        js = (
            "JSON.stringify({images: document.images.length,"
            " broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length,"
            " headings: document.querySelectorAll('h1,h2,h3').length, title: document.title,"
            " plots: Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".filter(p => p.querySelector('svg.main-svg')).length})"
        )
        value = json.loads(call("Runtime.evaluate", expression=js)["result"]["value"])
        result.images, result.broken_images = value["images"], value["broken"]
        result.headings, result.title = value["headings"], value["title"]
        result.plots = value["plots"]
        shot = call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        result.screenshot = screenshot
        ws.close()
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _collect(msg: dict, result: PageCheck) -> None:
    method = msg.get("method")
    params = msg.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        result.console_errors.append(
            " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
        )
    elif method == "Runtime.exceptionThrown":
        result.console_errors.append(params.get("exceptionDetails", {}).get("text", "exception"))
    elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        result.console_errors.append(params["entry"].get("text", ""))
