"""Real servers for tests: a free loopback port and the app served by uvicorn on a thread (lifespan on)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from mofang.app import create_app
from mofang.platform.context import Platform
from mofang.platform.settings import Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(settings: Settings, platform: Platform, *, port: int | None = None) -> Iterator[str]:
    """The app on a real loopback port (vendors' sandboxes, official clients and browsers call it); its URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, platform=platform), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
