"""A minimal OpenAI-compatible chat-completions client on the standard library.

``chat(settings, messages)`` POSTs to ``{base_url}/chat/completions`` and returns the
first choice's message content. Timeouts, connection errors, 429 and 5xx answers are
tried again (``max_retries`` more times, honouring a short ``Retry-After``); anything
else, or the last failure, is a `WriterFailure` whose message says what went wrong.
The API key is sent as a Bearer token and appears in no message or log line.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from takeaways.writer.settings import WriterSettings

log = logging.getLogger(__name__)

#: the longest wait between tries, whatever Retry-After asks (seconds)
MAX_BACKOFF_S = 10.0
#: at most this much of an error body is quoted in a message
_SNIPPET = 200


class WriterFailure(Exception):  # noqa: N818 - an outcome the writer turns into a warning
    """The LLM writer got no usable answer; never leaves `takeaways.writer` (the run falls
    back to extractive points with this message as its warning)."""


def _request(ws: WriterSettings, messages: list[dict[str, str]]) -> urllib.request.Request:
    body: dict[str, Any] = {"model": ws.model, "messages": messages,
                            "temperature": ws.temperature, "stream": False}
    if ws.json_mode:
        body["response_format"] = {"type": "json_object"}
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = ws.api_key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return urllib.request.Request(ws.url, data=json.dumps(body).encode("utf-8"),
                                  headers=headers, method="POST")


def _content(raw: bytes, url: str) -> str:
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise WriterFailure(f"{url} did not answer with a chat completion "
                            f"({_snip(raw)!r}); check --llm-url (the base, ending in /v1)."
                            ) from None
    if not isinstance(content, str) or not content.strip():
        raise WriterFailure(f"{url} answered with an empty message.")
    return content


def _snip(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…"


def _wait(exc: urllib.error.HTTPError | None, attempt: int) -> float:
    after = exc.headers.get("Retry-After") if exc is not None and exc.headers else None
    try:
        wait = float(after) if after is not None else 0.5 * 2**attempt
    except ValueError:
        wait = 0.5 * 2**attempt
    return max(0.0, min(wait, MAX_BACKOFF_S))


def chat(ws: WriterSettings, messages: list[dict[str, str]]) -> str:
    """The model's answer to ``messages``; a `WriterFailure` after the last failed try."""
    reason = ""
    for attempt in range(ws.max_retries + 1):
        http_error: urllib.error.HTTPError | None = None
        try:
            with urllib.request.urlopen(_request(ws, messages), timeout=ws.timeout_s) as resp:
                return _content(resp.read(), ws.url)
        except urllib.error.HTTPError as exc:
            body = _snip(exc.read() or b"")
            if exc.code == 429:
                reason = f"{ws.url} is rate-limiting requests (HTTP 429: {body!r})"
            elif exc.code >= 500:
                reason = f"{ws.url} failed (HTTP {exc.code}: {body!r})"
            else:  # 4xx: the request itself is wrong, trying again will not help
                hint = ("check the API key in $" + ws.api_key_env if exc.code in (401, 403)
                        else "check --llm-url and --llm-model")
                raise WriterFailure(f"{ws.url} refused the request (HTTP {exc.code}: "
                                    f"{body!r}); {hint}.") from None
            http_error = exc
        except TimeoutError:
            reason = f"{ws.url} did not answer within {ws.timeout_s:g} s ([writer] timeout_s)"
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                reason = (f"{ws.url} did not answer within {ws.timeout_s:g} s "
                          "([writer] timeout_s)")
            else:
                reason = f"cannot reach {ws.url} ({exc.reason}); is the server running?"
        except (OSError, ValueError) as exc:  # a reset connection, a malformed URL...
            reason = f"the request to {ws.url} failed ({type(exc).__name__}: {exc})"
        if attempt < ws.max_retries:
            wait = _wait(http_error, attempt)
            log.info("llm writer: %s; trying again in %.1f s", reason, wait)
            time.sleep(wait)
    tries = ws.max_retries + 1
    raise WriterFailure(f"{reason} after {tries} tr{'y' if tries == 1 else 'ies'}")
