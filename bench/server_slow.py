"""Slow requests against the HTTP server: do they starve others, and does /healthz answer?

    python bench/server_slow.py --timeout 5

Starts ``takeaways serve`` (real models) with ``--timeout``, then, from issue 18:
``--slow`` concurrent key-point requests for ``'The minister spoke. ' * 1000`` (each
used to run for about a minute) and, while they run, ``/healthz`` and one normal
request; then the permalink of ``"Rain fell again today. " * 30000`` with ``/healthz``
during it. Prints each request's status and seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
NORMAL = (
    "The city council approved a new budget on Tuesday after a long debate.\n\n"
    "The mayor said the plan would fund road repairs and two new libraries. Critics argued "
    "that the spending was too high for a small town.\n\n"
    "The budget takes effect in January, and the council will review it in the summer."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def timed(name: str, request: asyncio.Future[httpx.Response] | object) -> None:
    started = time.monotonic()
    try:
        r = await request  # type: ignore[misc]
        print(f"{name:<28} {r.status_code:>4} {time.monotonic() - started:>8.2f} s", flush=True)
    except httpx.HTTPError as exc:
        print(f"{name:<28} {type(exc).__name__} {time.monotonic() - started:>8.2f} s")


async def run(args: argparse.Namespace) -> None:
    port = free_port()
    db = Path(tempfile.mkdtemp()) / "bench.db"
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT / "src")}
    command = [sys.executable, "-m", "takeaways", "serve", "--port", str(port), "--db", str(db)]
    if args.timeout:
        command += ["--timeout", str(args.timeout)]
    server = subprocess.Popen(command, env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=900) as c:
            for _ in range(600):
                try:
                    if (await c.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.5)
            await timed("warm-up key-points", c.post("/v1/key-points", json={"text": NORMAL}))
            slow = [asyncio.ensure_future(timed(
                f"slow key-points {i}", c.post("/v1/key-points", json={
                    "text": "The minister spoke. " * 1000 + f"Part {i}."})))
                for i in range(args.slow)]
            await asyncio.sleep(1)
            await timed("healthz during slow", c.get("/healthz"))
            await timed("normal during slow", c.post("/v1/quotes", json={"text": NORMAL}))
            await asyncio.gather(*slow)
            rain = await c.post("/v1/read", json={"text": "Rain fell again today. " * 30000})
            print(f"{'read of the rain page':<28} {rain.status_code:>4}")
            rid = rain.headers.get("x-analysis-id")
            if rid:
                page = asyncio.ensure_future(timed("rain permalink", c.get(f"/a/{rid}")))
                await asyncio.sleep(0.2)
                await timed("healthz during permalink", c.get("/healthz"))
                await page
    finally:
        server.terminate()
        server.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=5.0, help="0: the server's default")
    parser.add_argument("--slow", type=int, default=2)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
