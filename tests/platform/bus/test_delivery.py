"""Delivery guarantees a consumer relies on, on the embedded queue and on NATS JetStream alike.

At least once (a failed or killed handler's batch comes again), one member of a group per message, every
group sees every message, and a publish that returned survives the publisher's crash.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bus_helpers import BusFarm, wait_until

from mofang.platform.bus import BusMessage, event_name_of, event_subject


class Collector:
    """A handler that records what it was given, per call."""

    def __init__(self, fail_first: int = 0, work_s: float = 0.0) -> None:
        self.calls: list[list[str]] = []
        self.fail_first = fail_first
        self.work_s = work_s
        self.lock = threading.Lock()

    def __call__(self, messages: Sequence[BusMessage]) -> None:
        time.sleep(self.work_s)  # an engine takes a moment per batch: the other members get the next ones
        with self.lock:
            self.calls.append([m.id for m in messages])
            if len(self.calls) <= self.fail_first:
                raise RuntimeError("the engine could not take this batch")

    def ids(self) -> list[str]:
        with self.lock:
            return [i for call in self.calls for i in call]


def publish_numbered(bus: object, subject: str, n: int, prefix: str = "e") -> list[str]:
    ids = [f"{prefix}{i}" for i in range(n)]
    for start in range(0, n, 500):
        chunk = ids[start:start + 500]
        bus.publish(subject, [i.encode() for i in chunk], ids=chunk)  # type: ignore[attr-defined]
    return ids


def test_each_message_goes_to_exactly_one_member_of_a_group(farm: BusFarm) -> None:
    publisher = farm.open()
    a, b = Collector(work_s=0.005), Collector(work_s=0.005)
    farm.open().subscribe("events.>", "engine", a, batch=20)
    farm.open().subscribe("events.>", "engine", b, batch=20)
    ids = publish_numbered(publisher, "events.login", 2000)
    wait_until(lambda: len(a.ids()) + len(b.ids()) >= 2000, what="all 2,000 messages delivered")
    got = Counter(a.ids() + b.ids())
    assert set(got) == set(ids)
    assert max(got.values()) == 1, "a message reached two members of one group"
    assert a.ids() and b.ids(), "one member did all the work"


def test_every_group_gets_every_message(farm: BusFarm) -> None:
    bus = farm.open()
    engine, audit = Collector(), Collector()
    bus.subscribe("events.>", "engine", engine)
    bus.subscribe("events.>", "audit", audit)
    ids = publish_numbered(bus, "events.fund_purchase", 1000)
    wait_until(lambda: len(engine.ids()) >= 1000 and len(audit.ids()) >= 1000, what="both groups served")
    assert sorted(engine.ids()) == sorted(ids) == sorted(audit.ids())


def test_a_group_that_subscribes_later_still_gets_earlier_messages(farm: BusFarm) -> None:
    bus = farm.open()
    ids = publish_numbered(bus, "events.login", 300)
    late = Collector()
    farm.open().subscribe("events.>", "late", late)
    wait_until(lambda: len(late.ids()) >= 300, what="the late group's backlog")
    assert sorted(late.ids()) == sorted(ids)


def test_a_batch_whose_handler_raises_is_delivered_again_then_acked(farm: BusFarm) -> None:
    bus = farm.open()
    ids = publish_numbered(bus, "events.login", 50)
    flaky = Collector(fail_first=2)
    sub = bus.subscribe("events.>", "engine", flaky, batch=100)

    def handled() -> set[str]:
        with flaky.lock:
            return {i for call in flaky.calls[flaky.fail_first:] for i in call}

    wait_until(lambda: handled() >= set(ids), what="every message handled after two failures")
    with flaky.lock:
        failed, later = flaky.calls[:2], flaky.calls[1:]
    assert set(failed[0]) <= {i for call in later for i in call}, "the failed batch was not offered again"
    sub.stop()
    # Acked once the handler returned: a new member of the group finds nothing left.
    again = Collector()
    farm.open().subscribe("events.>", "engine", again)
    publish_numbered(bus, "events.login", 1, prefix="after")
    wait_until(lambda: "after0" in again.ids(), what="the new member's first message")
    assert again.ids() == ["after0"]


def test_messages_of_a_killed_member_go_to_the_next_member(farm: BusFarm, tmp_path: Path) -> None:
    bus = farm.open()
    ids = publish_numbered(bus, "events.login", 120)
    dead_out = tmp_path / "dead.txt"
    proc = farm.spawn("events.>", "engine", dead_out, "die")
    assert proc.wait(30) == -9  # SIGKILLed inside its handler: nothing acked
    taken = dead_out.read_text().split()
    assert taken, "the member died before it was given anything"
    survivor = Collector()
    farm.open().subscribe("events.>", "engine", survivor, batch=50)
    wait_until(lambda: set(survivor.ids()) >= set(ids), what="every message after the crash")
    assert set(taken) <= set(survivor.ids())


def test_three_member_processes_share_a_group(farm: BusFarm, tmp_path: Path) -> None:
    outs = [tmp_path / f"member{i}.txt" for i in range(3)]
    procs = [farm.spawn("events.>", "engine", out, "collect") for out in outs]
    ids = publish_numbered(farm.open(), "events.login", 3000)

    def lines() -> list[str]:
        return [i for out in outs if out.exists() for i in out.read_text().split()]

    wait_until(lambda: len(lines()) >= 3000, timeout=60, what="3,000 messages across three processes")
    # On a busy machine two members can drain 3,000 before the third is scheduled: while one has had nothing, more
    # work arrives in waves (a member that never takes any while others keep taking fails below).
    publisher = farm.open()
    for wave in range(20):
        if all(out.exists() and out.read_text() for out in outs):
            break
        ids += publish_numbered(publisher, "events.login", 300, prefix=f"w{wave}-")
        wait_until(lambda n=len(ids): len(lines()) >= n, timeout=60, what="each wave across three processes")
    for proc in procs:
        proc.terminate()
        assert proc.wait(30) == 0
    got = Counter(lines())
    assert set(got) == set(ids)
    assert max(got.values()) == 1, "a message reached two processes of one group"
    assert all(out.exists() and out.read_text() for out in outs), "a member process got nothing"


def test_a_publish_that_returned_survives_the_publisher_being_killed(farm: BusFarm, tmp_path: Path) -> None:
    proc = farm.spawn("events.login", "400", tmp_path / "unused.txt", "publish")
    out, _ = proc.communicate(timeout=60)
    assert "published" in out and proc.returncode == -9
    got = Collector()
    farm.open().subscribe("events.>", "engine", got)
    wait_until(lambda: len(got.ids()) >= 400, what="messages of the killed publisher")
    assert sorted(got.ids()) == sorted(f"p{i}" for i in range(400))


def test_event_names_with_dots_spaces_wildcards_and_chinese_travel_safely(farm: BusFarm) -> None:
    bus = farm.open()
    names = ["理财.购买", "App Opened", "a*b>c", "基金 申购 >", "fund_purchase", "x-y"]
    everything, only_fund = Collector(), Collector()
    bus.subscribe("events.>", "all", everything)
    bus.subscribe(event_subject("理财.购买"), "fund", only_fund)
    for name in names:
        bus.publish(event_subject(name), [name.encode()], ids=[name])
    wait_until(lambda: len(everything.ids()) >= len(names) and only_fund.ids(), what="the named events")
    assert sorted(everything.ids()) == sorted(names)
    assert only_fund.ids() == ["理财.购买"]


def test_subjects_decode_back_to_the_event_name(farm: BusFarm) -> None:
    bus = farm.open()
    seen: list[tuple[str, bytes]] = []
    bus.subscribe("events.*", "names", lambda msgs: seen.extend((event_name_of(m.subject), m.data) for m in msgs))
    bus.publish(event_subject("登录.成功"), [b"x"])
    wait_until(lambda: bool(seen), what="the message")
    assert seen == [("登录.成功", b"x")]


def test_the_embedded_queue_forgets_what_every_group_has_consumed(tmp_path: Path) -> None:
    from mofang.platform.bus.embedded import EmbeddedBus

    bus = EmbeddedBus(tmp_path / "bus.sqlite", poll_interval=0.02)
    try:
        a, b = Collector(), Collector()
        bus.subscribe("events.>", "a", a)
        bus.subscribe("events.>", "b", b)
        publish_numbered(bus, "events.login", 200)
        wait_until(lambda: len(a.ids()) >= 200 and len(b.ids()) >= 200, what="both groups served")
        sub = bus._subs[0]
        sub._next_retention = 0.0
        publish_numbered(bus, "events.login", 1, prefix="wake")  # a claim round, then retention runs
        wait_until(lambda: bus.backlog("events.>", "a") == 0 and bus.backlog("events.>", "b") == 0,
                   what="nothing left to deliver")
        wait_until(lambda: bus._conn.execute("SELECT count(*) FROM bus_messages").fetchone()[0] <= 1,
                   what="consumed messages deleted")
    finally:
        bus.close()
