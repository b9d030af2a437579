"""The scale-out bus: NATS JetStream behind the same synchronous interface.

A stream per subject prefix (`events.>` → `MOFANG_EVENTS`) is created when absent; a group is a durable
pull consumer, so every process subscribing with the same group shares its messages; the handler's batch
is acked after it returns and nak'd (with a back-off) when it raises; a process that dies leaves its
messages unacked until `ack_wait` hands them to another member. Publishing waits for every PubAck and
sends `Nats-Msg-Id`, so a batch republished after a crash is deduplicated within the stream's window.

nats-py is asyncio: one private event loop runs on a background thread; every public method hands it a
coroutine and waits. Handlers run on their subscription's own thread, never on the loop.

URL: `nats://host:4222?namespace=t123&ack_wait=30` — a namespace prefixes subjects and stream names so
that test runs (or two installations on one server) never share a stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

import nats
import nats.errors
import nats.js.errors
import orjson
from nats.js import api

from mofang.platform.bus import logic
from mofang.platform.bus.contracts import BusError, BusMessage, Handler

log = logging.getLogger("mofang.bus")

T = TypeVar("T")
MSG_ID = "Nats-Msg-Id"
MAX_AGE_S = 7 * 86_400.0
DUPLICATE_WINDOW_S = 120.0
FETCH_WAIT_S = 0.5
PUBLISH_TIMEOUT_S = 30.0


_CRLF = b"\r\n"
_SPACE = re.compile(r"\s")


class _Client(nats.aio.client.Client):
    """nats-py's client with a faster header parser: every JetStream delivery carries Nats-Msg-Id, and the
    stock parser's per-character whitespace check cost ~45 µs a message (half the consumer's time)."""

    @staticmethod
    def _parse_header_lines(raw: bytes) -> dict[str, str]:
        out: dict[str, str] = {}
        for line in raw.split(_CRLF):
            name, sep, value = line.partition(b":")
            if not sep:
                continue
            try:
                key = name.strip().decode("ascii")
            except UnicodeDecodeError:
                continue
            if key and not _SPACE.search(key):
                out[key] = value.strip().decode("utf-8", "replace")
        return out


class JetStreamBus:
    """A NATS JetStream connection with the `Bus` interface."""

    def __init__(self, url: str, *, ack_wait: float | None = None, namespace: str | None = None) -> None:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.namespace = namespace if namespace is not None else query.get("namespace", "")
        if self.namespace:
            logic.check_subject(self.namespace)
        self.ack_wait = ack_wait if ack_wait is not None else float(query.get("ack_wait", 30.0))
        self.server = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mofang-bus-nats", daemon=True)
        self._thread.start()
        self._streams: set[str] = set()
        self._subs: list[_JetStreamSubscription] = []
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._id_prefix = os.urandom(8).hex()
        self._closed = False
        try:
            self._nc = _Client()
            self._run(self._nc.connect(servers=[self.server], max_reconnect_attempts=-1, connect_timeout=5,
                                       allow_reconnect=True), timeout=15)
        except Exception as exc:
            self._stop_loop()
            raise BusError(f"cannot connect to NATS at {self.server}: {exc}") from exc
        self._js = self._nc.jetstream(timeout=PUBLISH_TIMEOUT_S)
        self._inbox = self._nc.new_inbox()
        self._acks_sub: Any = None
        self._batches = itertools.count()
        self._pending: dict[str, _PendingBatch] = {}

    # -- plumbing ----------------------------------------------------------------------------------

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _nats_subject(self, subject: str) -> str:
        return f"{self.namespace}.{subject}" if self.namespace else subject

    def _bus_subject(self, nats_subject: str) -> str:
        return nats_subject[len(self.namespace) + 1:] if self.namespace else nats_subject

    def _stream_for(self, subject: str) -> str:
        """The stream of a subject's first token, created when absent."""
        prefix = subject.split(".", 1)[0]
        if prefix in ("*", ">"):
            raise ValueError(f"a subscription needs a literal first token: {subject!r}")
        name = logic.stream_name(prefix, self.namespace)
        if name not in self._streams:
            self._run(self._ensure_stream(name, self._nats_subject(prefix)), timeout=30)
            self._streams.add(name)
        return name

    async def _ensure_stream(self, name: str, prefix: str) -> None:
        try:
            await self._js.stream_info(name)
            return
        except nats.js.errors.NotFoundError:
            pass
        config = api.StreamConfig(name=name, subjects=[prefix, f"{prefix}.>"], retention=api.RetentionPolicy.LIMITS,
                                  storage=api.StorageType.FILE, max_age=MAX_AGE_S,
                                  duplicate_window=DUPLICATE_WINDOW_S)
        try:
            await self._js.add_stream(config)
        except nats.js.errors.BadRequestError:
            await self._js.stream_info(name)  # another process created it meanwhile

    # -- the interface -----------------------------------------------------------------------------

    def publish(self, subject: str, payloads: Sequence[bytes], *, ids: Sequence[str] | None = None) -> None:
        """Publish every payload and wait for all PubAcks (stored by the stream) before returning."""
        logic.check_subject(subject)
        if ids is None:
            ids = [f"{self._id_prefix}-{next(self._ids)}" for _ in payloads]
        elif len(ids) != len(payloads):
            raise ValueError("ids and payloads differ in length")
        self.publish_messages([BusMessage(subject, p, i) for p, i in zip(payloads, ids, strict=True)])

    def publish_messages(self, messages: Sequence[BusMessage]) -> None:
        """Publish messages of any subjects in order; returns when every one is acknowledged by its stream."""
        if not messages:
            return
        streams: dict[str, str] = {}
        for subject in {m.subject for m in messages}:
            logic.check_subject(subject)
            streams[subject] = self._stream_for(subject)
        items = [(self._nats_subject(m.subject), streams[m.subject], m.data, m.id) for m in messages]
        try:
            self._run(self._publish(items), timeout=PUBLISH_TIMEOUT_S + 5)
        except (nats.errors.Error, TimeoutError, BusError) as exc:
            self._streams.clear()  # a stream deleted meanwhile is created again by the caller's retry
            raise BusError(f"publish of {len(messages)} messages failed: {exc}") from exc

    async def _publish(self, items: list[tuple[str, str, bytes, str]]) -> None:
        # Plain publishes with a reply subject, and PubAcks counted by one inbox subscription: nats-py's
        # `publish_async` builds a future per message and managed ~6,000 messages/s; this does ~90,000.
        if self._acks_sub is None:
            self._acks_sub = await self._nc.subscribe(f"{self._inbox}.>", cb=self._on_puback)
        token = f"b{next(self._batches)}"
        pending = _PendingBatch(len(items))
        self._pending[token] = pending
        try:
            for i, (subject, _stream, payload, mid) in enumerate(items):
                # No Nats-Expected-Stream: the namespaced subject already names the stream, and every header
                # is stored with the message and parsed again at each delivery.
                await self._nc.publish(subject, payload, reply=f"{self._inbox}.{token}.{i}", headers={MSG_ID: mid})
            await self._nc.flush()
            await asyncio.wait_for(pending.done.wait(), PUBLISH_TIMEOUT_S)
        finally:
            self._pending.pop(token, None)
        if pending.errors:
            raise BusError(f"the stream refused {len(pending.errors)} of {len(items)} messages: {pending.errors[0]}")

    async def _on_puback(self, msg: Any) -> None:
        token = msg.subject[len(self._inbox) + 1:].split(".", 1)[0]
        pending = self._pending.get(token)
        if pending is None:
            return
        if b'"error"' in msg.data or not msg.data:  # no data: a "no responders" status (stream missing)
            pending.errors.append(msg.data.decode("utf-8", "replace") or "no stream answered")
        pending.left -= 1
        if pending.left <= 0:
            pending.done.set()

    def subscribe(self, subject: str, group: str, handler: Handler, *, batch: int = 256) -> _JetStreamSubscription:
        """Join the group's durable pull consumer and deliver on a thread of its own."""
        logic.check_subject(subject, pattern=True)
        if not group or batch < 1:
            raise ValueError("a subscription needs a group name and a batch of at least 1")
        stream = self._stream_for(subject)
        durable = logic.durable_name(group, subject)
        config = api.ConsumerConfig(durable_name=durable, deliver_policy=api.DeliverPolicy.ALL,
                                    ack_policy=api.AckPolicy.EXPLICIT, ack_wait=self.ack_wait,
                                    max_deliver=-1, filter_subject=self._nats_subject(subject),
                                    max_ack_pending=max(20_000, batch * 8))
        self._run(self._ensure_consumer(stream, durable, config), timeout=30)
        puller = _Puller(self, stream, durable)
        self._run(puller.open(), timeout=10)
        sub = _JetStreamSubscription(self, puller, group, handler, batch)
        with self._lock:
            if self._closed:
                raise RuntimeError("bus is closed")
            self._subs.append(sub)
        sub.start()
        return sub

    async def _ensure_consumer(self, stream: str, durable: str, config: api.ConsumerConfig) -> None:
        try:
            await self._js.consumer_info(stream, durable)
        except nats.js.errors.NotFoundError:
            await self._js.add_consumer(stream, config)

    def close(self) -> None:
        """Stop subscriptions, drain the connection and stop the loop."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            subs, self._subs = self._subs, []
        for sub in subs:
            sub.stop()
        with contextlib.suppress(Exception):
            self._run(self._nc.drain(), timeout=10)
        self._stop_loop()

    def delete_streams(self) -> None:
        """Delete this namespace's streams (tests clean up after themselves)."""
        for name in list(self._streams):
            with contextlib.suppress(nats.js.errors.NotFoundError):
                self._run(self._js.delete_stream(name), timeout=10)
            self._streams.discard(name)


class _PendingBatch:
    """PubAcks still awaited for one published batch."""

    def __init__(self, count: int) -> None:
        self.left = count
        self.errors: list[str] = []
        self.done = asyncio.Event()


class _Puller:
    """Pull requests of one member, answered into a buffer by a subscription callback.

    nats-py's `PullSubscription.fetch` awaits each message with its own timeout and managed ~5,000
    messages/s; here one callback appends to a deque. At most one request is open at a time: first a
    `no_wait` one (whatever is there now), and when that finds nothing, one that waits up to `expires`
    and is handed over as soon as its first message arrives (the rest land in the buffer meanwhile).
    """

    def __init__(self, bus: JetStreamBus, stream: str, durable: str) -> None:
        self.bus = bus
        self.subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self.buffer: deque[Any] = deque()
        self.left = 0  # messages the open request may still bring
        self.open_until = 0.0  # loop time after which an unanswered request counts as closed
        self.changed = asyncio.Event()
        self.inbox = ""
        self.sub: Any = None

    async def open(self) -> None:
        self.inbox = self.bus._nc.new_inbox()
        self.sub = await self.bus._nc.subscribe(self.inbox, cb=self._on_msg)

    def _request_open(self) -> bool:
        return self.left > 0 and asyncio.get_running_loop().time() < self.open_until

    async def _on_msg(self, msg: Any) -> None:
        status = msg.headers.get(api.Header.STATUS) if msg.headers else None
        if status is not None and not msg.data:
            if status != "100":  # 404 no messages, 408 expired, 409 limits: the request is over
                self.left = 0
        else:
            self.buffer.append(msg)
            self.left -= 1
        self.changed.set()

    async def _request(self, batch: int, *, wait: float | None) -> None:
        body: dict[str, Any] = {"batch": batch}
        if wait is None:
            body["no_wait"] = True
            window = 5.0
        else:
            body["expires"] = int(wait * 1e9)
            window = wait + 2.0
        self.left = batch
        self.open_until = asyncio.get_running_loop().time() + window
        await self.bus._nc.publish(self.subject, orjson.dumps(body), reply=self.inbox)

    async def _wait_change(self, timeout: float) -> None:
        self.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), timeout)

    async def pull(self, batch: int, wait: float) -> list[Any]:
        """Up to `batch` delivered messages; waits up to about `wait` seconds when there are none."""
        if not self.buffer and not self._request_open():
            await self._request(batch, wait=None)
            while self._request_open() and len(self.buffer) < batch:
                await self._wait_change(1.0)
        if not self.buffer:
            if not self._request_open():
                await self._request(batch, wait=wait)
            while not self.buffer and self._request_open():
                await self._wait_change(wait + 2.0)
        return [self.buffer.popleft() for _ in range(min(batch, len(self.buffer)))]

    async def close(self) -> None:
        """Leave: messages fetched but never handed to the handler go back at once (nak)."""
        if self.sub is not None:
            await self.sub.unsubscribe()
        while self.buffer:
            await self.buffer.popleft().nak()


class _JetStreamSubscription:
    """One member of a group: pull a batch, run the handler, ack or nak."""

    def __init__(self, bus: JetStreamBus, puller: _Puller, group: str, handler: Handler, batch: int) -> None:
        self.bus = bus
        self.puller = puller
        self.group = group
        self.handler = handler
        self.batch = batch
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"mofang-bus-{group}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish the handler call in progress (its batch is acked), then leave the group."""
        self._stopping.set()
        if threading.current_thread() is not self._thread:
            self._thread.join()
        with contextlib.suppress(Exception):
            self.bus._run(self.puller.close(), timeout=10)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                msgs = self.bus._run(self.puller.pull(self.batch, FETCH_WAIT_S), timeout=FETCH_WAIT_S + 15)
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("bus: fetch for group %s failed; retrying", self.group)
                self._stopping.wait(1.0)
                continue
            if msgs:
                self._deliver(msgs)

    def _deliver(self, msgs: list[Any]) -> None:
        delivered = [BusMessage(self.bus._bus_subject(m.subject), m.data,
                                (m.headers or {}).get(MSG_ID) or str(m.metadata.sequence.stream)) for m in msgs]
        try:
            self.handler(delivered)
        except Exception:
            deliveries = max(m.metadata.num_delivered or 1 for m in msgs)
            delay = logic.redelivery_delay(deliveries, ack_wait=self.bus.ack_wait)
            log.exception("bus: handler of group %s failed on %d messages (delivery %d); redelivering",
                          self.group, len(msgs), deliveries)
            self._settle(msgs, delay)
            return
        self._settle(msgs, None)

    def _settle(self, msgs: list[Any], nak_delay: float | None) -> None:
        async def settle() -> None:
            for m in msgs:
                await (m.ack() if nak_delay is None else m.nak(delay=nak_delay))
            await self.bus._nc.flush()
        try:
            self.bus._run(settle(), timeout=30)
        except Exception:  # an ack that never arrived only means a redelivery after ack_wait
            log.exception("bus: acknowledging %d messages of group %s failed", len(msgs), self.group)
