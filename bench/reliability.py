"""Reliability bench (issue 18): load, slow requests, slow fetches and the hostile-input
corpus, in one table.

    python bench/reliability.py --data ../shared/data                 # the full run
    python bench/reliability.py --quick                               # a few minutes

Parts (``--part``, repeatable; default all):

* ``load``: a real ``takeaways serve`` (uvicorn) subprocess; 16 clients x 2,000 requests
  of one article (``same``: the cache path) and 4 clients over 40 distinct CNN/DM articles
  (``distinct``: each one analysed; 500 requests). p50/p95/p99/max latency, 5xx count,
  server RSS before and after.
* ``slow``: the issue's slow requests (key points of ``'The minister spoke. ' * 1000``,
  ``'"' * 10000``, the permalink of ``'Rain fell again today. ' * 30000``) sent to the same
  kind of server while a poller times ``/healthz`` and a normal request; the slow requests'
  status and time, the healthz p50/max.
* ``fetch``: `fetch_url` against a local server that trickles one byte every
  ``--trickle-s`` seconds (the overall deadline), and a slowloris client against the
  server (does it drop a connection that never finishes its headers?).
* ``bad``: every case of ``tests/golden/bad_inputs/hostile/`` through the API, batch and
  the server (guarded child, 1.5 GB address-space cap, ``--hang-s`` hard timeout) and a
  sample through the CLI (a process each, so ``--cli-startup-s`` more): successes, clean
  errors, crashes, hangs, deaths, the worker's max RSS (``rss_after_mb``).

Counts are options (``--same-requests``, ``--distinct-requests``, ``--bad-limit``...), so
a quick run is possible. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import os
import shutil
import socket
import socketserver
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _common import print_table  # noqa: E402
from _data import add_data_argument, cnndm_articles  # noqa: E402
from serve import rss_kb, run_load, start_server  # noqa: E402

COLUMNS = ["part", "case", "n", "ok", "error", "crash", "hang", "died", "5xx", "p50_ms",
           "p95_ms", "p99_ms", "max_ms", "rss_before_mb", "rss_after_mb", "note"]
FORMATS = {c: ".0f" for c in COLUMNS}


def _articles(data: Path, count: int) -> list[str]:
    try:
        texts = [r["article"] for r in cnndm_articles(data)]
    except (OSError, SystemExit, KeyError):
        texts = []
    if len(texts) < count:  # no data: synthetic articles of CNN/DM length
        from tests._bad_inputs import PARA

        texts += [f"Story {i}\n\n" + (f"In story {i}, " + PARA) * 24 for i in range(count)]
    median = statistics.median(len(t) for t in texts)
    return [t for t in texts if len(t) >= median][:count] or texts[:count]


def _mb(kb: int | None) -> float | None:
    return kb / 1024 if kb else None


# ---- load ------------------------------------------------------------------------------


def part_load(args: argparse.Namespace) -> list[dict[str, Any]]:
    articles = _articles(args.data, args.distinct_articles + 1)
    proc, url, tmp = start_server(args.workers)
    rows = []
    try:
        httpx.post(f"{url}/v1/key-points", json={"text": articles[0], "kind": "plain"},
                   timeout=300)
        plans = [("same", articles[:1], args.same_clients, args.same_requests),
                 ("distinct", articles[1:], args.distinct_clients, args.distinct_requests)]
        for mode, pool, clients, requests in plans:
            before = rss_kb(proc.pid)
            total = clients * requests if mode == "same" else requests
            r = asyncio.run(run_load(url, "key-points", pool, clients=clients,
                                     requests=total, max_seconds=args.max_seconds))
            after = rss_kb(proc.pid)
            five = sum(v for k, v in r["error_kinds"].items() if k.startswith("5"))
            rows.append({
                "part": "load", "case": (f"same: {clients} clients x {requests} each"
                                         if mode == "same" else
                                         f"distinct: {clients} clients, {requests} in all"),
                "n": r["requests"], "ok": r["requests"] - r["errors"], "error": r["errors"],
                "5xx": five, "p50_ms": r["p50"], "p95_ms": r["p95"], "p99_ms": r["p99"],
                "max_ms": r["max"], "rss_before_mb": _mb(before), "rss_after_mb": _mb(after),
                "note": f"{r['rps']:.1f} req/s" + (f"; {r['error_kinds']}" if r["errors"] else ""),
            })
    finally:
        _stop(proc, tmp)
    return rows


def _stop(proc: Any, tmp: Path | None) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:  # noqa: BLE001 - a bench cleanup
        proc.kill()
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- slow requests ------------------------------------------------------------------------


SLOW_CASES = {
    "minister x 1000": "The minister spoke. " * 1000,
    "quote marks x 10000": '"' * 10000,
    "rain x 30000 permalink": "Rain fell again today. " * 30000,
}


def _poll(url: str, path: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=120, trust_env=False) as client:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                client.get(url + path)
            except httpx.HTTPError:
                pass
            out.append((time.perf_counter() - t0) * 1000)
            stop.wait(0.25)


def _slow_one(url: str, name: str, text: str, timeout: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    note = ""
    five = 0
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            if "permalink" in name:
                r = client.post(url + "/v1/read", json={"text": text, "store": True})
                rid = r.headers.get("x-analysis-id")
                note = f"read {r.status_code}"
                if rid:
                    r = client.get(f"{url}/a/{rid}")
                    note += f", /a/ {r.status_code}"
            else:
                r = client.post(url + "/v1/key-points", json={"text": text})
                note = f"key-points {r.status_code}"
            five = int(r.status_code >= 500)
    except httpx.HTTPError as exc:
        note = f"{type(exc).__name__} after {timeout:.0f} s"
    return {"name": name, "ms": (time.perf_counter() - t0) * 1000, "note": note, "5xx": five}


def part_slow(args: argparse.Namespace) -> list[dict[str, Any]]:
    proc, url, tmp = start_server(args.workers)
    rows: list[dict[str, Any]] = []
    try:
        normal = _articles(args.data, 1)[0]
        httpx.post(f"{url}/v1/key-points", json={"text": normal}, timeout=300)  # warm
        health: list[float] = []
        stop = threading.Event()
        poller = threading.Thread(target=_poll, args=(url, "/healthz", stop, health))
        poller.start()
        before = rss_kb(proc.pid)
        results: list[dict[str, Any]] = []
        threads = [threading.Thread(target=lambda n=n, t=t: results.append(
            _slow_one(url, n, t, args.slow_timeout))) for n, t in SLOW_CASES.items()]
        for t in threads:
            t.start()
        time.sleep(1.0)
        t0 = time.perf_counter()
        try:
            nr = httpx.post(f"{url}/v1/key-points", timeout=args.slow_timeout, trust_env=False,
                            json={"text": normal.replace(".", ". Indeed,", 1)})
            normal_note = f"normal request during slow ones: {nr.status_code}"
        except httpx.HTTPError as exc:
            normal_note = f"normal request during slow ones: {type(exc).__name__}"
        normal_ms = (time.perf_counter() - t0) * 1000
        for t in threads:
            t.join()
        stop.set()
        poller.join()
        after = rss_kb(proc.pid)
        for r in sorted(results, key=lambda r: r["name"]):
            rows.append({"part": "slow", "case": r["name"], "n": 1, "5xx": r["5xx"],
                         "max_ms": r["ms"], "note": r["note"]})
        rows.append({"part": "slow", "case": "normal key-points", "n": 1, "max_ms": normal_ms,
                     "note": normal_note})
        rows.append({"part": "slow", "case": "/healthz during slow", "n": len(health),
                     **_pcts(health), "rss_before_mb": _mb(before), "rss_after_mb": _mb(after),
                     "note": f"{sum(h > 1000 for h in health)} over 1 s"})
    finally:
        _stop(proc, tmp)
    return rows


def _pcts(values: list[float]) -> dict[str, float | None]:
    v = sorted(values)
    if not v:
        return {}

    def pct(p: float) -> float:
        return v[min(len(v) - 1, int(p * len(v)))]

    return {"p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": v[-1]}


# ---- slow fetch ----------------------------------------------------------------------------


class _Trickle(http.server.BaseHTTPRequestHandler):
    delay = 2.0
    body = b"<html><body><p>" + b"x" * 40 + b"</p></body></html>"

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        for byte in self.body:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(self.delay)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def part_fetch(args: argparse.Namespace) -> list[dict[str, Any]]:
    from takeaways.errors import TakeawaysError
    from takeaways.ingest.fetch import fetch_url

    _Trickle.delay = args.trickle_s
    srv = _Server(("127.0.0.1", 0), _Trickle)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/"
    rows = []
    result: list[str] = []

    def fetch() -> None:
        try:
            body, _ = fetch_url(url, max_bytes=1_000_000, timeout=10.0,
                                policy=lambda ip, port: True)
            result.append(f"returned {len(body)} bytes")
        except TakeawaysError as exc:
            result.append(f"{type(exc).__name__}: {str(exc)[:80]}")

    t0 = time.perf_counter()
    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(args.fetch_bound_s)
    ms = (time.perf_counter() - t0) * 1000
    note = result[0] if result else f"still reading after {args.fetch_bound_s:.0f} s (gave up)"
    rows.append({"part": "fetch", "case": f"fetch_url, 1 byte / {args.trickle_s:g} s",
                 "n": 1, "max_ms": ms, "note": note})
    srv.shutdown()
    rows.append(_slowloris(args))
    return rows


def _slowloris(args: argparse.Namespace) -> dict[str, Any]:
    """Open connections that send half a request line; does the server drop them?"""
    proc, url, tmp = start_server(args.workers)
    port = int(url.rsplit(":", 1)[1])
    socks = []
    try:
        for _ in range(args.slowloris):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
            socks.append(s)
        time.sleep(args.slowloris_wait_s)
        dropped = 0
        for s in socks:
            s.setblocking(False)
            try:
                dropped += s.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                dropped += 1
        t0 = time.perf_counter()
        ok = httpx.get(url + "/healthz", timeout=30, trust_env=False).status_code
        ms = (time.perf_counter() - t0) * 1000
        return {"part": "fetch", "case": f"slowloris x {args.slowloris}", "n": len(socks),
                "max_ms": ms, "note": f"{dropped} of {len(socks)} dropped after "
                f"{args.slowloris_wait_s:g} s; healthz {ok}"}
    finally:
        for s in socks:
            s.close()
        _stop(proc, tmp)


# ---- the bad-input corpus ------------------------------------------------------------------


def part_bad(args: argparse.Namespace) -> list[dict[str, Any]]:
    from tests import _bad_inputs as bad

    cases = bad.load_cases()
    if not args.bad_heavy:
        cases = [c for c in cases if not c.heavy]
    results: list[tuple[str, dict[str, Any]]] = []
    failures: list[str] = []
    guard = bad.Guard(timeout_s=args.hang_s)
    try:
        for entry in args.bad_entry or ["api", "batch", "server", "cli"]:
            chosen = [c for c in cases if entry in c.via
                      and (entry != "cli" or bad.cli_eligible(c))]
            step = args.cli_every if entry == "cli" else 1
            chosen = chosen[::step][: args.bad_limit or None]
            for case in chosen:
                if entry == "cli":
                    r = bad.run_cli(case, timeout_s=args.hang_s + args.cli_startup_s)
                else:
                    r = guard.run({"entry": entry, "case": case.id})
                results.append((entry, r))
                problem = bad.verdict(case, r, entry)
                if problem:
                    where = f" [{r['where']}]" if r.get("where") else ""
                    failures.append(f"{entry}:{case.id}: {problem[:160]}{where}")
    finally:
        guard.close()
    if failures and args.bad_failures:
        print("failing cases:", file=sys.stderr)
        for line in failures:
            print("  " + line, file=sys.stderr)
    rows = []
    for entry, t in bad.tally(results).items():
        bound = args.hang_s + (args.cli_startup_s if entry == "cli" else 0)
        failed = sum(f.startswith(entry + ":") for f in failures)
        rows.append({"part": "bad", "case": entry, "n": t["cases"], "ok": t["ok"],
                     "error": t["error"], "crash": t["crash"], "hang": t["hang"],
                     "died": t["died"], "rss_after_mb": t["max_rss_mb"] or None,
                     "note": f"{failed} failing; hang: over {bound:g} s"})
    return rows


PARTS = {"load": part_load, "slow": part_slow, "fetch": part_fetch, "bad": part_bad}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--part", action="append", choices=tuple(PARTS))
    ap.add_argument("--quick", action="store_true",
                    help="small counts: 4 x 200 same, 2 x 40 distinct, 30 s slow timeout, "
                    "60 bad inputs per entry point")
    ap.add_argument("--workers", type=int, help="server analysis threads")
    ap.add_argument("--same-clients", type=int, default=16)
    ap.add_argument("--same-requests", type=int, default=2000,
                    help="requests per client of the same article (the issue's 16 x 2,000)")
    ap.add_argument("--distinct-clients", type=int, default=4)
    ap.add_argument("--distinct-articles", type=int, default=40)
    ap.add_argument("--distinct-requests", type=int, default=500)
    ap.add_argument("--max-seconds", type=float, default=600.0, help="time bound per load mode")
    ap.add_argument("--slow-timeout", type=float, default=120.0, help="client timeout, slow part")
    ap.add_argument("--trickle-s", type=float, default=2.0, help="seconds between fetched bytes")
    ap.add_argument("--fetch-bound-s", type=float, default=60.0, help="give up on fetch after")
    ap.add_argument("--slowloris", type=int, default=20, help="half-open connections")
    ap.add_argument("--slowloris-wait-s", type=float, default=15.0)
    ap.add_argument("--hang-s", type=float, default=10.0, help="bad inputs: the hang bound")
    ap.add_argument("--bad-entry", action="append", choices=("api", "batch", "server", "cli"))
    ap.add_argument("--bad-limit", type=int, default=0, help="cases per entry point (0 = all)")
    ap.add_argument("--bad-heavy", action="store_true", help="include the heavy repro inputs")
    ap.add_argument("--cli-every", type=int, default=10, help="CLI: every Nth eligible case")
    ap.add_argument("--cli-startup-s", type=float, default=30.0,
                    help="CLI: allowance for the process start and model load, on top of --hang-s")
    ap.add_argument("--bad-failures", action="store_true", help="list failing cases on stderr")
    args = ap.parse_args(argv)
    if args.quick:
        args.same_clients, args.same_requests = 4, 50
        args.distinct_clients, args.distinct_requests = 2, 40
        args.distinct_articles = min(args.distinct_articles, 20)
        args.slow_timeout, args.fetch_bound_s = 30.0, 30.0
        args.slowloris, args.slowloris_wait_s = 5, 5.0
        args.cli_every = max(args.cli_every, 25)
        args.bad_limit = args.bad_limit or 60
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows: list[dict[str, Any]] = []
    for name in args.part or list(PARTS):
        t0 = time.perf_counter()
        rows += PARTS[name](args)
        print(f"bench: {name} took {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    print(f"cpus: {os.cpu_count()}; latency in ms; RSS in MB")
    print_table(rows, COLUMNS, formats=FORMATS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
