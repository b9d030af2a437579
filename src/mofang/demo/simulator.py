"""The demo's response simulator: customers answering messages, through the normal receipt and ingestion paths.

(a) `simulate_week` during `mofang seed`: the showcase strategies are published with the engine's clock a week
back, then the clock moves forward an hour at a time: segment entries, the bank's own (generated) events of that
hour, timers and the outbox, sends through the reach centre — and the simulator's answers to each delivery
(delivered, opened, clicked receipts; conversion events), every one marked `simulated`.
(b) `LiveSimulator` inside a demo `mofang serve`: deliveries on sandbox channels get their answers a few seconds
later the same way.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mofang.demo.simulator_logic import Contact, Recipient, SimulatorConfig, draw
from mofang.platform.context import Platform
from mofang.reach.contracts import DeliveryResult, ProviderResult, RenderedMessage, SendRequest
from mofang.reach.models import Delivery

log = logging.getLogger("mofang.demo.simulator")
BANK_TZ = ZoneInfo("Asia/Shanghai")
STEP = timedelta(hours=2)  # the simulated clock's tick: fine enough for waits of days, cheap enough to seed
# The goal event a response to each showcase strategy is (what "converting" means there).
GOALS = {"新客首月激活": "login", "基金意向转化": "fund_purchase", "沉睡唤醒": "app_start"}
REPLAYED = ("login", "app_start", "product_view", "fund_purchase")  # the bank's own events the journeys listen to
SOURCE = "simulator"


@dataclass
class Clock:
    """The engine's clock while the week is simulated."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


class ClockedEffects:
    """The engine's effects with sends stamped at the simulated time (contact caps count that week, not today)."""

    def __init__(self, inner: Any, clock: Clock) -> None:
        self.inner, self.clock = inner, clock

    def send(self, *, platform: Platform, request: SendRequest) -> DeliveryResult:
        """Through `mofang.reach.send` at the simulated now."""
        from mofang.reach import send

        return send(platform=platform, request=request, now=self.clock.now)

    def send_many(self, *, platform: Platform, requests: Sequence[SendRequest]) -> list[DeliveryResult]:
        """A batch through `mofang.reach.send_many` at the simulated now (the engine batches its sends)."""
        from mofang.reach import send_many

        return send_many(platform=platform, requests=requests, now=self.clock.now)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class OfflineSandbox:
    """The sandbox gateway's answer while no server runs (seeding): accepted with a vendor id, like `/sandbox`.

    Its status report is the simulator's `delivered` receipt, recorded at the simulated time.
    """

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.count = 0

    def send(self, message: RenderedMessage, *, address: str, idempotency_key: str) -> ProviderResult:
        """Accept the message."""
        self.count += 1
        return ProviderResult(accepted=True, vendor_id=f"sim-{idempotency_key}"[:128])

    def parse_receipt(self, body: bytes, headers: Any) -> list[Any]:
        """No callbacks come from it."""
        return []


@dataclass(order=True)
class Due:
    """A response waiting for its moment."""

    at: datetime
    seq: int
    kind: str = field(compare=False)  # delivered | opened | clicked | converted
    delivery_id: int = field(compare=False)
    customer_id: str = field(compare=False)
    event: str | None = field(compare=False, default=None)


def recipients(platform: Platform, customer_ids: Sequence[str]) -> dict[str, Recipient]:
    """What the response model needs of each customer (from the profile table)."""
    from mofang.insight.profiles import get_profiles

    out = {}
    with platform.metadata.session() as session:
        for cid, p in get_profiles(session=session, customer_ids=list(customer_ids)).items():
            age = p.attributes.get("age")
            out[cid] = Recipient(age=int(age) if isinstance(age, int | float) else None, tier=p.tier,
                                 aum=float(p.aum or 0), lifecycle=p.tags.get("lifecycle_stage"))
    return out


class Responder:
    """Draws the responses of new deliveries and plays them out when their time comes."""

    def __init__(self, platform: Platform, config: SimulatorConfig, *, channels: Sequence[str] | None = None,
                 live: bool = False) -> None:
        self.platform, self.config, self.live = platform, config, live
        self.channels = channels
        self.queue: list[Due] = []
        self.seq = 0
        self.names: dict[int, str] = {}
        self.links: dict[int, bool] = {}
        with platform.metadata.session() as session:
            self.last_id = session.scalar(select(Delivery.id).order_by(Delivery.id.desc()).limit(1)) or 0
        self.counts = {"delivered": 0, "opened": 0, "clicked": 0, "converted": 0}

    def _strategy(self, session: Any, sid: int | None) -> str | None:
        if sid is None:
            return None
        if sid not in self.names:
            from mofang.strategy.canvas.models import Strategy

            row = session.get(Strategy, sid)
            self.names[sid] = row.name if row is not None else ""
        return self.names[sid]

    def _has_link(self, session: Any, template_id: int | None) -> bool:
        if template_id is None:
            return False
        if template_id not in self.links:
            from mofang.reach.content.models import Template

            row = session.get(Template, template_id)
            content = getattr(row, "content", None) or {}
            self.links[template_id] = bool(isinstance(content, dict) and content.get("links"))
        return self.links[template_id]

    def take_new(self, now: datetime) -> int:
        """Draw the responses of deliveries sent since the last look."""
        with self.platform.metadata.session() as session:
            q = select(Delivery).where(Delivery.id > self.last_id, Delivery.status == "accepted")
            if self.channels is not None:
                q = q.where(Delivery.channel.in_(list(self.channels)))
            rows = list(session.scalars(q.order_by(Delivery.id)))
            if not rows:
                return 0
            self.last_id = rows[-1].id
            who = recipients(self.platform, sorted({r.customer_id for r in rows}))
            for r in rows:
                sent = (r.created_at.replace(tzinfo=UTC) if r.created_at.tzinfo is None else r.created_at)
                name = self._strategy(session, r.strategy_id)
                contact = Contact(key=f"delivery:{r.id}", channel=r.channel, has_link=self._has_link(
                    session, r.template_id), strategy=name, hour=sent.astimezone(BANK_TZ).hour)
                answer = draw(who.get(r.customer_id, Recipient()), contact, self.config)
                if r.channel in ("sms", "push") and not self.live:
                    self._push(sent + timedelta(seconds=2), "delivered", r)
                for kind, after in (("opened", answer.opened_after), ("clicked", answer.clicked_after)):
                    if after is not None:
                        self._push(sent + timedelta(seconds=after), kind, r)
                if answer.converted_after is not None and name in GOALS:
                    self._push(sent + timedelta(seconds=answer.converted_after), "converted", r, GOALS[name])
        return len(rows)

    def _push(self, at: datetime, kind: str, row: Delivery, event: str | None = None) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Due(at, self.seq, kind, row.id, row.customer_id, event))

    def play(self, now: datetime) -> int:
        """Record every response due by `now`: receipts on the delivery, conversions as ingested events."""
        from mofang.reach.delivery.events import flush_events
        from mofang.reach.delivery.receipts import record_engagement

        due: list[Due] = []
        while self.queue and self.queue[0].at <= now:
            due.append(heapq.heappop(self.queue))
        if not due:
            return 0
        conversions = []
        with self.platform.metadata.session() as session:
            for d in due:
                if d.kind == "converted":
                    conversions.append(d)
                    continue
                record_engagement(platform=self.platform, delivery_id=d.delivery_id, status=d.kind, at=d.at,
                                  suffix=f"{d.kind}-sim", detail={"source": SOURCE}, session=session)
                self.counts[d.kind] += 1
        flush_events(self.platform)
        if conversions:
            self._convert(conversions)
        return len(due)

    def _convert(self, due: Sequence[Due]) -> None:
        from mofang.strategy import engine
        from mofang.tracking import ingest_server_events

        messages, bus = [], []
        for d in due:
            mid = f"sim-{d.delivery_id}-{d.event}"
            props = {"simulated": True, "delivery_id": d.delivery_id}
            messages.append({"type": "track", "event": d.event, "userId": d.customer_id, "messageId": mid,
                             "timestamp": d.at.isoformat(), "properties": props,
                             "context": {"simulated": True, "library": {"name": "mofang-simulator"}}})
            bus.append({"customer_id": d.customer_id, "user_id": d.customer_id, "anonymous_id": None,
                        "event": d.event, "ts": d.at.isoformat(), "properties": props, "message_id": mid})
        ingest_server_events(self.platform, messages)
        self.counts["converted"] += len(due)
        if self.live:
            return
        # While seeding no bus consumer runs: the engine hears the conversions directly (the same payloads).
        engine.handle_events(platform=self.platform, events=bus)


def _bank_events(platform: Platform, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The generated events the journeys listen to, between two moments, as the bus would carry them."""
    sql = ("SELECT customer_id, user_id, event, ts, properties, message_id FROM events WHERE ts > ? AND ts <= ? "
           f"AND event IN ({', '.join('?' for _ in REPLAYED)}) AND customer_id IS NOT NULL ORDER BY ts")
    import orjson

    with platform.store.read() as cur:
        rows = cur.execute(sql, [start.replace(tzinfo=None), end.replace(tzinfo=None), *REPLAYED]).fetchall()
    return [{"customer_id": r[0], "user_id": r[1], "anonymous_id": None, "event": r[2],
             "ts": r[3].replace(tzinfo=UTC).isoformat(), "properties": orjson.loads(r[4]) if r[4] else {},
             "message_id": r[5]} for r in rows]


@contextmanager
def simulated_engine(platform: Platform, start: datetime) -> Iterator[Clock]:
    """The engine and reach of this process on a simulated clock (sandbox channels answered offline)."""
    from mofang.reach.delivery.routing import deps_of
    from mofang.strategy.engine.service import get_runtime
    from mofang.tracking.service import start_ingestion, stop_ingestion

    rt = get_runtime(platform)
    deps = deps_of(platform)
    clock = Clock(start)
    saved = (rt.clock, rt.effects, dict(deps.providers))
    rt.clock, rt.effects = clock, ClockedEffects(rt.effects, clock)
    for channel in ("sms", "push"):
        deps.providers.setdefault(channel, OfflineSandbox(channel))  # type: ignore[arg-type]
    started = "ingestor" not in platform.extras
    if started:
        start_ingestion(platform, protect_stored=False)  # `mofang serve` makes that pass on its first start
    try:
        yield clock
    finally:
        rt.clock, rt.effects = saved[0], saved[1]
        deps.providers.clear()
        deps.providers.update(saved[2])
        if started:
            stop_ingestion(platform)


def run_week(*, platform: Platform, clock: Clock, until: datetime, config: SimulatorConfig) -> dict[str, int]:
    """Move the simulated clock to `until` an hour at a time, running the engine and the responses."""
    from mofang.strategy import engine
    from mofang.strategy.engine.service import dispatch, get_runtime, run_entries, tick_timers

    rt = get_runtime(platform)
    responder = Responder(platform, config)
    replayed = 0
    t = clock.now
    while t < until:
        nxt = min(t + STEP, until)
        clock.now = nxt
        run_entries(platform=platform, rt=rt, now=nxt)
        events = _bank_events(platform, t, nxt)
        replayed += len(events)
        for i in range(0, len(events), 2000):
            engine.handle_events(platform=platform, events=events[i:i + 2000])
        while tick_timers(platform=platform, rt=rt, now=nxt) + dispatch(platform=platform, rt=rt, now=nxt):
            pass
        responder.take_new(nxt)
        responder.play(nxt)
        t = nxt
    return {"replayed": replayed, **responder.counts}


class LiveSimulator:
    """Inside a demo `mofang serve`: deliveries on sandbox channels are answered a few seconds later."""

    def __init__(self, platform: Platform, config: SimulatorConfig | None = None, *, poll: float = 2.0,
                 speedup: float = 600.0) -> None:
        self.platform, self.poll = platform, poll
        # Answers come `speedup` times faster than they would (a demo visitor waits seconds, not an hour).
        self.speedup = speedup
        # The sandbox itself reports deliveries, and the bus carries conversions to the engine.
        self.responder = Responder(platform, config or SimulatorConfig(), channels=("sms", "push"), live=True)
        self._compressed = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the polling thread."""
        self._thread = threading.Thread(target=self._run, name="mofang-demo-simulator", daemon=True)
        self._thread.start()

    def step(self, now: datetime) -> int:
        """One look: draw new deliveries' answers (time compressed) and play the due ones."""
        self.responder.take_new(now)
        for d in self.responder.queue:  # compress: an answer an hour after sending comes 6 s after
            if d.seq > self._compressed:
                d.at = now + timedelta(seconds=max((d.at - now).total_seconds(), 0) / self.speedup)
        self._compressed = self.responder.seq
        heapq.heapify(self.responder.queue)
        return self.responder.play(now)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step(datetime.now(UTC))
            except Exception:  # the simulator must never take the server down
                log.exception("demo simulator step failed")
            self._stop.wait(self.poll)

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)



def start_demo_simulator(platform: Platform) -> LiveSimulator | None:
    """The live simulator of a demo `mofang serve` (None when the settings say this is no demo)."""
    if not platform.settings.demo_simulator_on():
        return None
    sim = LiveSimulator(platform)
    sim.start()
    return sim
