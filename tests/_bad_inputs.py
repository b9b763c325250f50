"""The hostile-input corpus of issue 18 and a guarded runner for it.

The corpus is ``tests/golden/bad_inputs/hostile/manifest.jsonl``: one case per line,

    {"id": ..., "about": ..., "input": {...}, "via": [...], "heavy": bool, "expect": ...,
     "code": ..., "says": ..., "issue": N, "steps": [...], "n": ..., "summary": ...,
     "read_args": {...}}

``input`` is one of ``{"file": NAME}`` (a file beside the manifest; ``../NAME`` for the
ingest corpus), ``{"text": STR}``, ``{"gen": NAME, **args}`` (built by a generator below,
so the repository stays small; ``ext`` names the file suffix batch and the CLI give it),
``{"py": KIND}`` (an odd Python object), ``{"path": P}``,
``{"url": U}`` (checked with ``check_url``, never fetched), ``{"line": RAW}`` (a raw JSONL
line for batch), ``{"http": {...}}`` (a raw server request) or ``{"bytes": B}`` (inline,
for generated cases). ``via`` names the entry points (``api``, ``cli``, ``batch``,
``server``); ``heavy`` marks a costly case (only in the slow sweep); ``expect`` is
``any`` (a success or a clean `TakeawaysError`), ``ok``, ``error`` or ``refused``
(server: one of the statuses the request lists).

Each case runs in a child process (`Guard`) that loads spaCy once, caps its address space
with ``RLIMIT_AS`` and answers one task at a time over a pipe; the parent turns a child that
does not answer within the hard timeout into ``hang`` and a child that dies into ``died``,
and starts a fresh one. Outcomes: ``ok``, ``error`` (a clean `TakeawaysError`, with its
code), ``crash`` (any other exception, a 5xx, a plain-text error, a lost good batch record),
``hang`` (the hard timeout, or a 504), ``died`` (the child was killed: memory, signal).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import random
import re
import resource
import select
import string
import struct
import subprocess
import sys
import tempfile
import traceback
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "golden" / "bad_inputs" / "hostile"
MANIFEST = CORPUS / "manifest.jsonl"
ENTRIES = ("api", "cli", "batch", "server")
MEMORY_LIMIT = int(1.5 * 1024**3)  # RLIMIT_AS of every child (issue 18: under 1.5 GB)
HARD_TIMEOUT_S = float(os.environ.get("TAKEAWAYS_BAD_INPUT_TIMEOUT", "60"))
GOOD_OUTCOMES = ("ok", "error")

PARA = ("The city council voted on Tuesday to approve a new budget for the coming year, "
        "after months of debate about how to pay for repairs to roads and schools. ")
STORY = ("Budget approved\n\n" + PARA * 2 + "\n\n\"We will rebuild the roads,\" the mayor, "
         "Anna Berg, said on Wednesday. " + PARA + "\n\nCritics said the plan was too "
         "expensive. " + PARA)
_UNSET = object()


# ---- the manifest --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    about: str
    input: dict[str, Any]
    via: tuple[str, ...]
    heavy: bool = False
    expect: str = "any"
    code: str | None = None
    says: str | None = None
    issue: int | None = None
    steps: tuple[str, ...] = ("read", "key_points", "quotes", "audit")
    n: Any = _UNSET
    summary: Any = _UNSET
    read_args: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Case:
        inp = d["input"]
        return cls(
            id=d["id"], about=d.get("about", ""), input=inp,
            via=tuple(d["via"]) if "via" in d else _default_via(d), heavy=d.get("heavy", False),
            expect=d.get("expect", "any"), code=d.get("code"), says=d.get("says"),
            issue=d.get("issue"), steps=tuple(d.get("steps", Case.steps)),
            n=d.get("n", _UNSET), summary=d.get("summary", _UNSET),
            read_args=d.get("read_args", {}),
        )

    def source(self) -> Any:
        """What `takeaways.read` gets."""
        return make_source(self.input)

    def n_value(self) -> Any:
        return 4 if self.n is _UNSET else _value(self.n)

    def summary_value(self) -> Any:
        return None if self.summary is _UNSET else _value(self.summary)


def _default_via(d: dict[str, Any]) -> tuple[str, ...]:
    kind = next(iter(d["input"]))
    if kind in ("http",):
        return ("server",)
    if kind in ("line",):
        return ("batch",)
    if "read_args" in d:
        return ("api",)
    if "n" in d:
        return ("api", "server")
    if "summary" in d:
        return ("api", "batch", "server")
    return ENTRIES


def load_cases() -> list[Case]:
    lines = MANIFEST.read_text("utf-8").splitlines()
    return [Case.from_dict(json.loads(line)) for line in lines if line.strip()]


def cases_by_id() -> dict[str, Case]:
    return {c.id: c for c in load_cases()}


# ---- generators (big inputs are built, not stored) ------------------------------------


def _repeat(text: str, times: int, prefix: str = "", suffix: str = "") -> str:
    return prefix + text * times + suffix


def _random_ascii(size: int, seed: int) -> str:
    rnd = random.Random(seed)
    return "".join(rnd.choice(string.printable) for _ in range(size))


def _story(token: int = 0) -> str:
    return STORY.replace("mayor,", "mayor " + "x" * token + ",") if token else STORY


def _claims(count: int) -> str:
    rnd = random.Random(count)
    words = PARA.replace(",", "").replace(".", "").split()
    return "\n".join(" ".join(rnd.choice(words) for _ in range(8)).capitalize() + "."
                     for _ in range(count))


def _giant_sentence(words: int) -> str:
    rnd = random.Random(words)
    vocab = PARA.replace(",", "").replace(".", "").split()
    return " ".join(rnd.choice(vocab) for _ in range(words))


def _deep_html(tag: str, depth: int) -> str:
    return ("<html><body>" + f"<{tag}>" * depth + "<p>" + PARA * 3 + "</p>" + f"</{tag}>" * depth
            + "</body></html>")


def _nested_json(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _jsonl_line(text: str, times: int) -> str:
    return text * times


def _zeros_gzip(inflated: int, *, chunk: int = 1 << 20) -> bytes:
    """A gzip member of ``inflated`` spaces, compressed in chunks (never held inflated)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * chunk
    parts = []
    left = inflated
    while left > 0:
        parts.append(comp.compress(block[: min(chunk, left)]))
        left -= chunk
    parts.append(comp.flush())
    return b"".join(parts)


def _gzip_bomb(inflated: int) -> bytes:
    return _zeros_gzip(inflated)


def _multi_member_gzip() -> bytes:
    first = gzip.compress(mtime=0, data=("Budget approved\n\n" + PARA * 2).encode())
    second = gzip.compress(mtime=0, data=("\n\nSECOND-MEMBER " + PARA * 2).encode())
    return first + second


def _warc(pages: list[tuple[str, bytes, list[tuple[str, str]]]]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for url, body, headers in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), *headers],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=http))
    return buf.getvalue()


def _warc_bomb(inflated: int) -> tuple[str, bytes]:
    body = _zeros_gzip(inflated)
    return "bomb.warc.gz", _warc([("http://example.com/bomb", body,
                                   [("Content-Encoding", "gzip")])])


def _jsonl_gz_bomb(inflated: int) -> tuple[str, bytes]:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = comp.compress(b'{"id": "huge", "text": "')
    return "bomb.jsonl.gz", head + _deflate_tail(comp, inflated)


def _deflate_tail(comp: Any, inflated: int, chunk: int = 1 << 20) -> bytes:
    parts = []
    block = b"a" * chunk
    left = inflated
    while left > 0:
        parts.append(comp.compress(block[: min(chunk, left)]))
        left -= chunk
    parts.append(comp.compress(b'"}\n'))
    parts.append(comp.flush())
    return b"".join(parts)


def _truncated_warc(fraction: float) -> tuple[str, bytes]:
    pages = [(f"http://example.com/{i}", _page_html(i).encode(), []) for i in range(40)]
    data = _warc(pages)
    return "cut.warc.gz", data[: int(len(data) * fraction)]


def _page_html(i: int) -> str:
    return (f"<html><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1>"
            + f"<p>Story {i}. " + PARA * 8 + "</p>" * 1 + f"<p>{PARA * 4}</p></article>"
            "</body></html>")


GENERATORS: dict[str, Callable[..., Any]] = {
    "repeat": _repeat, "random_ascii": _random_ascii, "story": _story, "claims": _claims,
    "giant_sentence": _giant_sentence, "deep_html": _deep_html, "nested_json": _nested_json,
    "jsonl_line": _jsonl_line, "gzip_bomb": _gzip_bomb, "multi_member_gzip": _multi_member_gzip,
    "warc_bomb": _warc_bomb, "jsonl_gz_bomb": _jsonl_gz_bomb, "truncated_warc": _truncated_warc,
    "nan": lambda: float("nan"), "inf": lambda: float("inf"),
}
BATCH_FILE_GENS = ("warc_bomb", "jsonl_gz_bomb", "truncated_warc")


def _value(spec: Any) -> Any:
    if isinstance(spec, dict) and "gen" in spec:
        args = {k: v for k, v in spec.items() if k not in ("gen", "ext")}
        return GENERATORS[spec["gen"]](**args)
    return spec


_PY_OBJECTS: dict[str, Callable[[], Any]] = {
    "int": lambda: 42, "none": lambda: None, "list": lambda: [STORY], "float": lambda: 1.5,
    "bytearray": lambda: bytearray(STORY.encode()),
    "memoryview": lambda: memoryview(STORY.encode()),
    "dict": lambda: {"text": STORY}, "tuple": lambda: (STORY,), "object": object,
}


def make_source(inp: dict[str, Any]) -> Any:
    kind, spec = next(iter(inp.items()))
    if kind == "file":
        return (CORPUS / spec).read_bytes()
    if kind in ("text", "bytes", "line"):
        return spec
    if kind == "gen":
        return _value(inp)
    if kind == "py":
        return _PY_OBJECTS[spec]()
    if kind == "path":
        return Path(spec)
    if kind == "url":
        return spec
    raise ValueError(f"no source for input kind {kind!r}")


def input_kind(case: Case) -> str:
    kind = next(iter(case.input))
    if kind == "gen" and case.input["gen"] in BATCH_FILE_GENS:
        return "batchfile"
    return kind


def file_suffix(case: Case) -> str:
    name = str(case.input.get("file") or case.input.get("ext", ""))
    for ext in (".txt.gz", ".html.gz", ".html", ".htm"):
        if name.endswith(ext):
            return ext
    return ".txt.gz" if name.endswith(".gz") else ".txt"


# ---- outcomes ------------------------------------------------------------------------


def outcome(kind: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    return {"outcome": kind, "detail": detail[:500], **extra}


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "takeaways" in f.filename] or frames
    if not ours:
        return ""
    f = ours[-1]
    return f"{Path(f.filename).name}:{f.lineno} {f.name}"


def classify_exception(exc: BaseException) -> dict[str, Any]:
    from takeaways.errors import StepError, TakeawaysError, code_of

    cause = exc.cause if isinstance(exc, StepError) else exc
    if isinstance(cause, TakeawaysError):
        return outcome("error", f"{type(cause).__name__}: {cause}", code=code_of(cause))
    msg = str(cause).splitlines()[0][:300] if str(cause) else ""
    return outcome("crash", f"{type(cause).__name__}: {msg}", exc=type(cause).__name__,
                   where=_where(cause))


def verdict(case: Case, result: dict[str, Any], entry: str = "api") -> str | None:
    """None when ``result`` is acceptable for ``case`` through ``entry``, else what is
    wrong. ``code`` (a library code) is checked through the API and batch only."""
    got = result["outcome"]
    if got not in GOOD_OUTCOMES:
        return f"{got}: {result.get('detail', '')}"
    if case.expect in ("ok", "error", "refused") and got != _expected_outcome(case):
        return f"expected {case.expect}, got {got}: {result.get('detail', '')}"
    checked = entry in ("api", "batch")
    if checked and case.code and got == "error" and result.get("code") not in (case.code, None):
        return f"expected code {case.code}, got {result.get('code')}: {result.get('detail')}"
    return None


def _expected_outcome(case: Case) -> str:
    return "error" if case.expect == "refused" else case.expect


# ---- entry points (run inside the child) ------------------------------------------------


def run_api(case: Case) -> dict[str, Any]:
    import takeaways

    if "url" in case.input:
        from takeaways.ingest.fetch import check_url

        ip = check_url(case.input["url"])
        return outcome("ok", f"accepted, resolves to {ip}")
    article = takeaways.read(case.source(), **case.read_args)
    if "key_points" in case.steps:
        takeaways.key_points(article, n=case.n_value())
    if "quotes" in case.steps:
        takeaways.quotes(article)
    if "audit" in case.steps:
        takeaways.audit(article, case.summary_value())
    if case.says and case.says not in article.text:
        return outcome("crash", f"{case.says!r} missing from the article text")
    return outcome("ok", f"{len(article.sentences)} sentences")


_GOOD_LINES = [json.dumps({"id": f"good-{i}", "text": STORY.replace("Wednesday", f"day {i}")})
               for i in (1, 2)]
BATCH_WHAT = "read,key-points,quotes,audit"


def _batch_inputs(case: Case, tmp: Path) -> tuple[list[Path], set[str]]:
    """Input paths (good records around the bad one) and the ids of the good records."""
    kind = input_kind(case)
    good1, good2 = tmp / "good1.jsonl", tmp / "good2.jsonl"
    good1.write_text(_GOOD_LINES[0] + "\n")
    good2.write_text(_GOOD_LINES[1] + "\n")
    goods = {"good-1", "good-2"}
    if kind == "batchfile":
        name, data = _value(case.input)
        bad = tmp / name
        bad.write_bytes(data)
        return [good1, bad, good2], goods
    src = case.source()
    jsonl = tmp / "in.jsonl"
    if kind == "line" or (kind == "gen" and case.input["gen"] == "jsonl_line"):
        jsonl.write_bytes((_GOOD_LINES[0] + "\n" + src + "\n" + _GOOD_LINES[1] + "\n")
                          .encode("utf-8", "surrogatepass"))
        return [jsonl], goods
    if isinstance(src, bytes):
        folder = tmp / "docs"
        folder.mkdir()
        (folder / "a_good.txt").write_text(STORY)
        (folder / ("bad" + file_suffix(case))).write_bytes(src)
        (folder / "z_good.txt").write_text(STORY.replace("Wednesday", "Friday"))
        return [folder], {"a_good.txt", "z_good.txt"}
    record: dict[str, Any] = {"id": "bad", "text": src}
    if case.summary is not _UNSET:
        record["summary"] = case.summary_value()
    jsonl.write_text(_GOOD_LINES[0] + "\n" + json.dumps(record) + "\n" + _GOOD_LINES[1] + "\n")
    return [jsonl], goods


def run_batch(case: Case) -> dict[str, Any]:
    from takeaways.cli import main

    with tempfile.TemporaryDirectory(prefix="takeaways-bad-") as d:
        tmp = Path(d)
        inputs, goods = _batch_inputs(case, tmp)
        out = tmp / "out.jsonl"
        try:
            rc = main(["batch", *map(str, inputs), "--out", str(out), "--workers", "1",
                       "--quiet", "--no-fsync", "--what", BATCH_WHAT])
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 2
        records = _read_out(out)
    result = _batch_outcome(records, goods, rc)
    if case.says and result["outcome"] == "ok":
        texts = [str((r.get("article") or {}).get("text", "")) for r in records
                 if r.get("id") not in goods]
        if not any(case.says in t for t in texts):
            return outcome("crash", f"{case.says!r} missing from the bad record's article")
    return result


def _read_out(out: Path) -> list[dict[str, Any]]:
    if not out.exists():
        return []
    rows = []
    for line in out.read_bytes().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            rows.append({"id": None, "status": "unreadable", "reason": line[:100].decode(
                "utf-8", "replace")})
    return rows


def _batch_outcome(records: list[dict[str, Any]], goods: set[str], rc: int) -> dict[str, Any]:
    by_id = {r.get("id"): r for r in records}
    lost = sorted(g for g in goods if by_id.get(g, {}).get("status") != "ok")
    if lost:
        return outcome("crash", f"exit {rc}; good records lost or failed: {lost}; "
                       f"{len(records)} written", rc=rc)
    bad = [r for r in records if r.get("id") not in goods]
    if not bad:
        return outcome("crash", f"exit {rc}; no record written for the bad input", rc=rc)
    unclean = [r for r in bad if r.get("status") not in ("ok", "skipped") and (
        not r.get("error_code") or _foreign_exceptions(str(r.get("reason"))))]
    if unclean:
        return outcome("crash", f"exit {rc}; not a clean error: {unclean[0].get('reason')}",
                       rc=rc)
    errors = [r for r in bad if r.get("status") == "error"]
    if errors:
        return outcome("error", f"exit {rc}; {len(errors)} error record(s): "
                       f"{errors[0].get('reason')}", code=errors[0].get("error_code"), rc=rc)
    return outcome("ok", f"exit {rc}; {len(bad)} record(s) ok", rc=rc)


_CLIENT: list[Any] = []


def _client() -> Any:
    if not _CLIENT:
        from fastapi.testclient import TestClient

        from takeaways.server import ServerSettings, create_app

        app = create_app(ServerSettings(db_path=":memory:", max_workers=2, isolation="thread",
                                        request_timeout_s=HARD_TIMEOUT_S / 2))
        _CLIENT.append(TestClient(app, base_url="http://localhost",
                                  raise_server_exceptions=False))
    return _CLIENT[0]


def _check_response(label: str, r: Any) -> dict[str, Any] | None:
    """None for a 2xx/3xx, else the outcome the response stands for."""
    if r.status_code < 400:
        return None
    ctype = r.headers.get("content-type", "")
    code = None
    if ctype.startswith("application/json"):
        try:
            code = r.json().get("error", {}).get("code")
        except (ValueError, AttributeError):
            code = None
    where = f"{label} -> {r.status_code}"
    if r.status_code == 504:
        return outcome("hang", f"{where} (the server's time limit)", status=504)
    if r.status_code >= 500:
        return outcome("crash", f"{where} {ctype}: {r.text[:200]}", status=r.status_code)
    if code is None:
        return outcome("crash", f"{where} without a JSON error code ({ctype}): {r.text[:200]}",
                       status=r.status_code)
    return outcome("error", f"{where} {code}", code=code, status=r.status_code)


def _post_body(case: Case) -> dict[str, Any]:
    src = case.source()
    fields: dict[str, Any] = {}
    if case.n is not _UNSET:
        fields["n"] = case.n_value()
    if case.summary is not _UNSET:
        fields["summary"] = case.summary_value()
    if isinstance(src, bytes):
        form = {k: (json.dumps(v) if not isinstance(v, str) else v) for k, v in fields.items()}
        return {"files": {"file": ("input" + file_suffix(case), src)}, "data": form}
    body = json.dumps({"text": src, **fields}).encode()
    return {"content": body, "headers": {"content-type": "application/json"}}


def run_server(case: Case) -> dict[str, Any]:
    client = _client()
    if "http" in case.input:
        return _raw_request(client, case)
    seen: list[dict[str, Any]] = []
    rid = None
    for feature in ("key-points", "quotes", "audit"):
        r = client.post(f"/v1/{feature}", **_post_body(case))
        bad = _check_response(f"POST /v1/{feature}", r)
        if bad is not None:
            if bad["outcome"] != "error":
                return bad
            seen.append(bad)
            continue
        rid = r.headers.get("x-analysis-id") or rid
    if rid:
        for path in (f"/a/{rid}", f"/v1/analyses/{rid}"):
            bad = _check_response(f"GET {path}", client.get(path))
            if bad is not None and bad["outcome"] != "error":
                return bad
    if seen:
        return seen[0]
    return outcome("ok", f"analysis {rid}")


def _raw_request(client: Any, case: Case) -> dict[str, Any]:
    spec = dict(case.input["http"])
    path = spec["path"]
    if "{stored}" in path:
        r = client.post("/v1/read", json={"text": STORY, "store": True})
        path = path.replace("{stored}", r.headers.get("x-analysis-id", "0" * 16))
    kwargs: dict[str, Any] = {"headers": spec.get("headers", {})}
    if "json_raw" in spec:
        kwargs["content"] = spec["json_raw"].encode()
        kwargs["headers"] = {**kwargs["headers"], "content-type": "application/json"}
    if "gen_body" in spec:
        kwargs["content"] = _value(spec["gen_body"]).encode()
        kwargs["headers"] = {**kwargs["headers"], "content-type": "application/json"}
    if "form" in spec:
        kwargs["data"] = spec["form"]
    r = client.request(spec["method"], path, **kwargs)
    label = f"{spec['method']} {spec['path']}"
    missing = [h for h in spec.get("expect_headers", []) if h not in r.headers]
    if missing:
        return outcome("crash", f"{label} -> {r.status_code} without headers {missing}",
                       status=r.status_code)
    want = spec.get("expect_status")
    if want and r.status_code in want:
        return outcome("error", f"{label} -> {r.status_code} (refused)", status=r.status_code)
    bad = _check_response(label, r)
    if bad is not None:
        return bad
    return outcome("ok", f"{label} -> {r.status_code}", status=r.status_code)


RUNNERS: dict[str, Callable[[Case], dict[str, Any]]] = {
    "api": run_api, "batch": run_batch, "server": run_server,
}


def run_task(task: dict[str, Any], cases: dict[str, Case]) -> dict[str, Any]:
    case = cases[task["case"]] if "case" in task else Case.from_dict(task["inline"])
    try:
        return RUNNERS[task["entry"]](case)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - the point is to classify anything
        return classify_exception(exc)


# ---- the child process ----------------------------------------------------------------


def _send(fh: Any, obj: Any) -> None:
    data = pickle.dumps(obj)
    fh.write(struct.pack("!Q", len(data)) + data)
    fh.flush()


def _recv_blocking(fh: Any) -> Any:
    head = fh.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack("!Q", head)
    return pickle.loads(fh.read(size))


def worker_main() -> None:
    """The child: cap memory, load the models once, answer tasks until stdin closes."""
    channel = os.fdopen(os.dup(1), "wb")
    tasks = os.fdopen(os.dup(0), "rb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the CLI and batch print
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # read("-") reads stdin
    limit = int(os.environ.get("TAKEAWAYS_BAD_INPUT_AS", MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from takeaways.nlp.models import HashingEmbedder, get_nlp, set_embedder

    set_embedder(HashingEmbedder())
    get_nlp()
    cases = cases_by_id()
    _send(channel, {"ready": True})
    while True:
        task = _recv_blocking(tasks)
        if task is None:
            return
        result = run_task(task, cases)
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        _send(channel, result)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", MALLOC_ARENA_MAX="2",
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               TOKENIZERS_PARALLELISM="false")
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, str(ROOT), env.get("PYTHONPATH")) if p)
    return env


class Guard:
    """A child process that runs tasks under a hard timeout and a memory cap."""

    def __init__(self, timeout_s: float = HARD_TIMEOUT_S, memory: int = MEMORY_LIMIT) -> None:
        self.timeout_s = timeout_s
        self.memory = memory
        self.proc: subprocess.Popen[bytes] | None = None
        self.errlog = tempfile.TemporaryFile()
        self.starts = 0

    def _start(self) -> None:
        env = child_env() | {"TAKEAWAYS_BAD_INPUT_AS": str(self.memory)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import tests._bad_inputs as b; b.worker_main()"],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.errlog,
        )
        self.starts += 1
        ready = self._recv(max(300.0, self.timeout_s))
        if not isinstance(ready, dict) or not ready.get("ready"):
            self.stop()
            raise RuntimeError(f"the bad-input worker did not start: {self.stderr_tail()}")

    def _recv(self, timeout: float) -> Any:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        buf = b""
        need = 8
        size = None
        import time

        deadline = time.monotonic() + timeout
        while len(buf) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, max(65536, need - len(buf)))
            if not chunk:
                raise EOFError
            buf += chunk
            if size is None and len(buf) >= 8:
                (size,) = struct.unpack("!Q", buf[:8])
                need = 8 + size
        return pickle.loads(buf[8:need])

    def stderr_tail(self, n: int = 600) -> str:
        self.errlog.seek(0, os.SEEK_END)
        size = self.errlog.tell()
        self.errlog.seek(max(0, size - n))
        return self.errlog.read().decode("utf-8", "replace").strip().replace("\n", " | ")

    def run(self, task: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            _send(self.proc.stdin, task)
            result = self._recv(self.timeout_s)
        except TimeoutError:
            self.stop()
            return outcome("hang", f"no answer within {self.timeout_s:.0f} s")
        except (EOFError, BrokenPipeError):
            rc = self.proc.wait(10)
            tail = self.stderr_tail()
            self.proc = None
            return outcome("died", f"the worker died (exit {rc}): {tail[-300:]}")
        if result.get("exc") in ("MemoryError", "RecursionError"):
            self.stop()  # the child may be left in a bad state
        return dict(result)

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        self.errlog.close()


# ---- the CLI (a subprocess per case, from the parent) ------------------------------------


def cli_eligible(case: Case) -> bool:
    kind = input_kind(case)
    return "cli" in case.via and kind in ("file", "text", "gen", "path")


def _limit_memory(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return preexec


def run_cli(case: Case, *, timeout_s: float = HARD_TIMEOUT_S * 2,
            memory: int = MEMORY_LIMIT) -> dict[str, Any]:
    """``takeaways summarize FILE`` in a subprocess capped at ``memory`` bytes."""
    with tempfile.TemporaryDirectory(prefix="takeaways-cli-") as d:
        if "path" in case.input:
            arg = case.input["path"]
        else:
            src = case.source()
            data = src if isinstance(src, bytes) else src.encode("utf-8", "surrogatepass")
            path = Path(d) / ("input" + file_suffix(case))
            path.write_bytes(data)
            arg = str(path)
        argv = [sys.executable, "-m", "takeaways", "summarize", arg, "--format", "json"]
        if "max_bytes" in case.read_args:
            argv += ["--max-bytes", str(case.read_args["max_bytes"])]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=timeout_s, cwd=d,
                                  env=child_env(), preexec_fn=_limit_memory(memory))
        except subprocess.TimeoutExpired:
            return outcome("hang", f"no exit within {timeout_s:.0f} s")
    return cli_outcome(proc.returncode, proc.stderr.decode("utf-8", "replace"))


def cli_outcome(rc: int, err: str) -> dict[str, Any]:
    lines = err.strip().splitlines()
    errors = [line for line in lines if line.startswith("takeaways: error: ")]
    if rc == 0 and "Traceback" not in err:
        return outcome("ok", f"exit 0{'; ' + lines[-1] if lines else ''}")
    if rc < 0:
        return outcome("died", f"killed by signal {-rc}: {err[-300:]}")
    if "Traceback" in err or not errors or rc not in (1, 2):
        last = lines[-1] if lines else ""
        return outcome("crash", f"exit {rc}: {last[:300]}")
    message = errors[0][len("takeaways: error: "):]
    foreign = _foreign_exceptions(message)
    if foreign:  # the CLI printed some other library's exception as its error line
        return outcome("crash", f"exit {rc}: {message[:300]}", exc=foreign[0])
    return outcome("error", f"exit {rc}: {message}")


def _foreign_exceptions(message: str) -> list[str]:
    from takeaways.errors import catalogue

    ours = {name for _, name, _ in catalogue()}
    named = re.findall(r"\b([A-Z]\w*(?:Error|Exception)): ", message)
    return [n for n in named if n not in ours]


# ---- tallies -------------------------------------------------------------------------


def tally(results: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Per entry point: cases, ok, error, crash, hang, died, max RSS (MB)."""
    out: dict[str, dict[str, Any]] = {}
    for entry, result in results:
        row = out.setdefault(entry, {"entry": entry, "cases": 0, "ok": 0, "error": 0,
                                     "crash": 0, "hang": 0, "died": 0, "max_rss_mb": 0.0})
        row["cases"] += 1
        row[result["outcome"]] += 1
        row["max_rss_mb"] = max(row["max_rss_mb"], float(result.get("rss_mb") or 0.0))
    return out
