"""The event bus: durable publish/subscribe with queue groups, embedded (SQLite) or NATS JetStream by URL."""

from __future__ import annotations

import logging
import threading

from mofang.platform.bus.contracts import Bus, BusError, BusMessage, Handler, Subscription
from mofang.platform.bus.logic import decode_token, encode_token, event_name_of, event_subject
from mofang.platform.context import Platform
from mofang.platform.settings import Settings

__all__ = ["Bus", "BusError", "BusMessage", "Handler", "Subscription", "bus_of", "decode_token", "encode_token",
           "event_name_of", "event_subject", "open_bus", "subscribe_until_up"]

log = logging.getLogger("mofang.bus")
BUS_FILE = "bus.sqlite"
RETRY_S = 2.0
_open_lock = threading.Lock()


def open_bus(settings: Settings) -> Bus:
    """The bus the settings choose: `bus_url` None → the embedded SQLite queue in the data dir, nats:// → JetStream."""
    url = settings.bus_url
    if not url:
        from mofang.platform.bus.embedded import EmbeddedBus

        return EmbeddedBus(settings.data_dir / BUS_FILE)
    if url.startswith(("nats://", "tls://")):
        from mofang.platform.bus.jetstream import JetStreamBus

        return JetStreamBus(url)
    raise ValueError(f"MOFANG_BUS_URL must be nats://… (or unset for the embedded bus), got {url!r}")


def bus_of(platform: Platform) -> Bus:
    """The platform's bus, opened on first use and closed with the platform (`Platform.close`)."""
    bus = platform.extras.get("bus")
    if bus is None:
        with _open_lock:
            bus = platform.extras.get("bus")
            if bus is None:
                bus = platform.extras["bus"] = open_bus(platform.settings)
    return bus


class _Retrying:
    """A subscription made on a thread of its own, retried until the bus answers; `stop` ends either."""

    def __init__(self, platform: Platform, subject: str, group: str, handler: Handler, batch: int) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sub: Subscription | None = None
        self._args = (platform, subject, group, handler, batch)
        self._thread = threading.Thread(target=self._run, name=f"mofang-bus-subscribe-{group}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        platform, subject, group, handler, batch = self._args
        while not self._stop.is_set():
            try:
                sub = bus_of(platform).subscribe(subject, group, handler, batch=batch)
            except Exception:
                log.exception("bus: subscribing group %s to %s failed; retrying in %.0f s", group, subject, RETRY_S)
                self._stop.wait(RETRY_S)
                continue
            with self._lock:
                if self._stop.is_set():
                    sub.stop()
                else:
                    self._sub = sub
            return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        with self._lock:
            sub, self._sub = self._sub, None
        if sub is not None:
            sub.stop()


def subscribe_until_up(platform: Platform, subject: str, group: str, handler: Handler, *,
                       batch: int = 256) -> Subscription:
    """Subscribe in the background, retrying while the bus is down (NATS restarting must not stop a server);
    what is published meanwhile waits in the bus or in ingestion's outbox, so nothing is lost."""
    return _Retrying(platform, subject, group, handler, batch)
