"""A bus group member in a process of its own, for the crash and multi-process tests.

    python bus_member.py <embedded-path | nats-url> <subject> <group> <out-file> <collect | die> [ack_wait]

collect: append every delivered id to out-file (one line each, fsync'd before the ack) until SIGTERM.
die: write the ids of the first batch to out-file, then SIGKILL itself before the handler returns (no ack).
publish: publish <group> messages (ids p0..) on <subject>, print "published", then SIGKILL itself.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from mofang.platform.bus.contracts import Bus, BusMessage
from mofang.platform.bus.embedded import EmbeddedBus
from mofang.platform.bus.jetstream import JetStreamBus


def open_target(target: str, ack_wait: float) -> Bus:
    """The bus a test points at: a NATS URL (with its namespace) or an embedded queue file."""
    if target.startswith("nats://"):
        return JetStreamBus(target, ack_wait=ack_wait)
    return EmbeddedBus(Path(target), ack_wait=ack_wait, poll_interval=0.02)


def main() -> None:
    target, subject, group, out, mode = sys.argv[1:6]
    ack_wait = float(sys.argv[6]) if len(sys.argv) > 6 else 30.0
    bus = open_target(target, ack_wait)
    if mode == "publish":
        n = int(group)
        bus.publish(subject, [f"m{i}".encode() for i in range(n)], ids=[f"p{i}" for i in range(n)])
        print("published", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def handle(messages: Sequence[BusMessage]) -> None:
        os.write(fd, "".join(f"{m.id}\n" for m in messages).encode())
        os.fsync(fd)
        if mode == "die":
            os.kill(os.getpid(), signal.SIGKILL)

    sub = bus.subscribe(subject, group, handle, batch=50)
    print("ready", flush=True)
    stop.wait()
    sub.stop()
    bus.close()
    os.close(fd)


if __name__ == "__main__":
    main()
