"""Running the app under uvicorn with connection limits against slow clients.

uvicorn times out an idle keep-alive connection but not one that sends its request
headers a byte at a time (slowloris): `HeaderTimeoutProtocol` closes a connection whose
request line and headers are not complete ``header_timeout_s`` after it opened or after
its previous response. The body has its own deadline (`limits.BodyLimitMiddleware`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from takeaways.server.settings import LOOPBACK_HOSTS, ServerSettings

log = logging.getLogger(__name__)

#: Request line plus headers may be at most this big (h11 answers 400 past it).
MAX_HEADER_BYTES = 16 * 1024


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers do not arrive
    within ``header_timeout`` seconds."""

    header_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self.conn.trailing_data[0]:  # part of a request came, then too little
                log.info("closing a connection whose request headers took over %g s",
                         self.header_timeout)
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot parse (bad syntax, headers over `MAX_HEADER_BYTES`) gets a
        JSON 400 with the security headers, like every other error."""
        from takeaways.server.engine import ServerError
        from takeaways.server.limits import CSP

        body = json.dumps(ServerError(400, "bad_request", f"{msg} Check the request line "
                                      "and headers (at most 16 KB).").to_dict()).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-security-policy", CSP.encode()),
                   (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
        try:
            for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                          h11.Data(data=body), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:  # h11 cannot answer in this state: just close
            pass
        self.transport.close()


def protocol_for(settings: ServerSettings) -> type[HeaderTimeoutProtocol]:
    return type("TakeawaysProtocol", (HeaderTimeoutProtocol,),
                {"header_timeout": settings.header_timeout_s})


def allowed_hosts(host: str, extra: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The bind address, the loopback names and ``extra`` (``--allowed-host``)."""
    names = [*extra, *LOOPBACK_HOSTS]
    if not _wildcard(host):
        names.insert(0, host)
    return tuple(dict.fromkeys(n.strip().lower() for n in names if n.strip()))


def _wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def exposure_warning(host: str, settings: ServerSettings) -> str | None:
    """What to tell the operator when the server is reachable beyond this machine."""
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host.lower() == "localhost"
    if loopback:
        return None
    text = (f"takeaways serve is bound to {host}: anyone who can reach this port can read "
            "every stored analysis")
    text += (" (writes and deletes need the token)" if settings.token else
             " and post work or delete analyses (set --token or $TAKEAWAYS_TOKEN)")
    if _wildcard(host) and list(settings.allowed_hosts) == list(LOOPBACK_HOSTS):
        text += ("; only the loopback names are accepted as Host: add this machine's name "
                 "with --allowed-host NAME")
    return text + ". See docs/server.md."


def run(app: Any, settings: ServerSettings, *, host: str, port: int) -> None:
    import uvicorn

    warning = exposure_warning(host, settings)
    if warning:
        log.warning("%s", warning)
    uvicorn.run(
        app, host=host, port=port, log_level="info", access_log=False,
        http=protocol_for(settings), timeout_keep_alive=settings.keep_alive_s,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
