#!/usr/bin/env python3
"""Opens an HTML file in headless Chromium as a person would, and says what it saw.

Starts its own Chromium (a fresh profile in a temporary directory), drives it over the
DevTools protocol (python3-websocket), and stops it again. Prints one JSON object:
  console_errors  console.error calls, uncaught exceptions, error log entries
  network         every request the page made that was not the file itself (file:, data:)
  figures         each <figure class="plot">: id, rendered width/height, SVG element count
  numbers         each <b class="num">: its section's data-doc, data-json, data-scale, text
  title, screenshot (path written, when --screenshot)

  report_browser.py FILE.html [--screenshot OUT.png] [--width 1100] [--height 900] [--scale 1]

Used by tests/report_test.cpp and scripts/report-screenshots.sh. Exit 0 when the page
loaded (whatever it shows), 1 when Chromium could not be driven.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # Debian python3-websocket

COLLECT = r"""
JSON.stringify({
  title: document.title,
  figures: Array.from(document.querySelectorAll('figure.plot')).map(f => {
    const s = f.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
    return {id: f.id, width: r.width, height: r.height, elements: s ? s.querySelectorAll('*').length : 0,
            visible: s ? getComputedStyle(s).display !== 'none' && getComputedStyle(s).visibility !== 'hidden' : false};
  }),
  numbers: Array.from(document.querySelectorAll('b.num')).map(b => {
    const sec = b.closest('section[data-doc]');
    return {doc: sec ? Number(sec.dataset.doc) : -1, key: b.dataset.json, scale: Number(b.dataset.scale),
            abs: b.dataset.abs === '1', text: b.textContent};
  }),
  sections: Array.from(document.querySelectorAll('section')).map(s => s.id),
  height: document.documentElement.scrollHeight
})
"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    sys.exit("report_browser: no chromium (apt-get install chromium; scripts/setup.sh)")


class Tab:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == my:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_for(self, method, seconds):
        end = time.time() + seconds
        for e in self.events:
            if e["method"] == method:
                return True
        while time.time() < end:
            self.ws.settimeout(max(0.1, end - time.time()))
            try:
                m = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if "method" in m:
                self.events.append(m)
                if m["method"] == method:
                    return True
        return False

    def drain(self, seconds):
        self.wait_for("never.happens", seconds)


def main(argv):
    args = argv[1:]
    if not args:
        sys.exit(__doc__)
    page = os.path.abspath(args[0])
    opts = {"--screenshot": None, "--width": "1100", "--height": "900", "--scale": "1"}
    i = 1
    while i < len(args):
        if args[i] in opts and i + 1 < len(args):
            opts[args[i]] = args[i + 1]
            i += 2
        else:
            sys.exit(f"report_browser: unknown argument {args[i]}")
    profile = tempfile.mkdtemp(prefix="drsim-chromium-")
    proc = subprocess.Popen(
        [chromium(), "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-component-update",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={opts['--width']},{opts['--height']}",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        end = time.time() + 60
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if proc.poll() is not None or time.time() > end:
                print("report_browser: chromium did not start", file=sys.stderr)
                return 1
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30))
        url = next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")
        tab = Tab(url)
        for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            tab.call(m)
        w, h = int(opts["--width"]), int(opts["--height"])
        tab.call("Emulation.setDeviceMetricsOverride", width=w, height=h, deviceScaleFactor=float(opts["--scale"]), mobile=False)
        tab.call("Page.navigate", url="file://" + page)
        if not tab.wait_for("Page.loadEventFired", 60):
            print("report_browser: the page did not finish loading in 60 s", file=sys.stderr)
            return 1
        tab.drain(0.5)  # late console messages or requests
        seen = tab.call("Runtime.evaluate", expression=COLLECT, returnByValue=True)["result"]["value"]
        out = json.loads(seen)
        errors, network = [], []
        for e in tab.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                errors.append(p.get("exceptionDetails", {}).get("text", "exception"))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(p["entry"].get("text", ""))
            elif m == "Network.requestWillBeSent":
                u = p.get("request", {}).get("url", "")
                if not (u.startswith("file:") or u.startswith("data:") or u == "about:blank"):
                    network.append(u)
        out["console_errors"] = errors
        out["network"] = network
        if opts["--screenshot"]:
            shot = tab.call("Page.captureScreenshot", format="png")
            import base64
            data = base64.b64decode(shot["data"])
            with open(opts["--screenshot"], "wb") as f:
                f.write(data)
            out["screenshot"] = {"path": opts["--screenshot"], "bytes": len(data)}
        try:
            tab.call("Browser.close")
        except Exception:
            pass
        print(json.dumps(out))
        return 0
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
