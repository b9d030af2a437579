"""Parsing off the event loop: worker processes turn request bodies into WAL payloads.

Decoding, validating and re-encoding a 300-event batch costs milliseconds of pure Python. Done on
the server's one event loop, requests that arrive together wait for each other, and the GIL is
shared with the WAL writer and the flusher. So the server hands the raw body to one of
`ingest_parse_workers` child processes (`python -m mofang.tracking.parsers`), which runs
`logic.prepare` and answers with the JSON-lines payload; the server keeps what needs its state:
write keys, the WAL (one writer, so one order), DuckDB.

Protocol over the child's stdin/stdout, one request at a time per child, answers in order:
request `<u32 meta length><u32 body length><meta JSON><body>`, answer `<u32 meta length><u32
payload length><meta JSON><payload>` (meta: `Prepared.meta()`). A child exits when its stdin
closes, so it never outlives the server, even after `kill -9`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import struct
import sys
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from mofang.tracking import logic
from mofang.tracking.pii import Guard, guard_of

if TYPE_CHECKING:  # the children import this module: keep them clear of the server's dependencies
    from mofang.platform.context import Platform

log = logging.getLogger("mofang.tracking.parsers")

HEADER = struct.Struct("<II")
MODULE = "mofang.tracking.parsers"
ANSWER_TIMEOUT_S = 30.0  # a child that has not answered by then is stuck: it is killed and replaced
STOP_TIMEOUT_S = 5.0
_PIPE_BYTES = 1 << 20  # room for a whole 500 KB batch each way: one write, one wake-up
_F_SETPIPE_SZ = 1031
_EXTRA = "parse_pool"


def open_pool(platform: Platform) -> ParsePool | None:
    """Give the platform its parse workers (none when configured so, or without background threads)."""
    settings = platform.settings
    if not settings.start_background or settings.ingest_parse_workers <= 0:
        return None
    pool = platform.extras.get(_EXTRA)
    if pool is None:
        pool = platform.extras[_EXTRA] = ParsePool(settings.ingest_parse_workers,
                                                    pii_args=pii_args(settings.secrets_dir(), settings.pii_keys))
        pool.warm()
    return pool


async def close_pool(platform: Platform) -> None:
    """Stop the platform's parse workers, if it has any."""
    pool = platform.extras.pop(_EXTRA, None)
    if pool is not None:
        await pool.close()


async def prepare(platform: Platform, body: bytes, **options: Any) -> logic.Prepared:
    """`logic.prepare` in a parse worker, or here when the platform has none."""
    pool: ParsePool | None = platform.extras.get(_EXTRA)
    if pool is None:
        return logic.prepare(body, **options, guard=guard_of(platform))
    return await pool.prepare(body, **options)


def pii_args(secrets_dir: Path, keys: list[str]) -> list[str]:
    """How a parse worker learns where the PII key is and which keys are PII (on its command line)."""
    return ["--secrets", str(secrets_dir), "--pii-keys", orjson.dumps(keys).decode()]


def status(platform: Platform) -> dict[str, int]:
    """How many parse workers are configured and running (0 and 0: bodies are parsed in the server)."""
    pool: ParsePool | None = platform.extras.get(_EXTRA)
    return {"configured": pool.size if pool else 0, "running": len(pool.pids) if pool else 0}


class ParserUnavailable(RuntimeError):
    """No parse worker could answer (it died or hung); the client should retry (503)."""


class _Child:
    """One worker process and the requests it has been sent, oldest first."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.waiting: deque[asyncio.Future[logic.Prepared]] = deque()
        self.reader: asyncio.Task[None] | None = None


class ParsePool:
    """Worker processes that run `logic.prepare`; started on first use, on the loop that uses it."""

    def __init__(self, size: int, *, answer_timeout: float = ANSWER_TIMEOUT_S, pii_args: list[str] | None = None
                 ) -> None:
        self.size = size
        self.pii_args = pii_args or []
        self.answer_timeout = answer_timeout
        self._children: list[_Child | None] = [None] * size
        self._starting: dict[int, asyncio.Task[_Child]] = {}
        self._closed = False

    @property
    def pids(self) -> list[int]:
        """The process ids of the running children."""
        return [c.proc.pid for c in self._children if c is not None and c.proc.returncode is None]

    async def prepare(self, body: bytes, **options: Any) -> logic.Prepared:
        """`logic.prepare(body, **options)`, run by the least busy child."""
        if self._closed:
            raise ParserUnavailable("ingestion is stopping; retry shortly")
        slot = min(range(self.size), key=self._load)
        child = self._children[slot] or await self._begin(slot)
        if self._closed:  # closed while the child started: its input may be shut already
            raise ParserUnavailable("ingestion is stopping; retry shortly")
        meta = orjson.dumps(options)
        fut: asyncio.Future[logic.Prepared] = asyncio.get_running_loop().create_future()
        fut.add_done_callback(_retrieved)  # an answer whose requester hung up is not an error to report
        child.waiting.append(fut)
        stdin = child.proc.stdin
        assert stdin is not None
        try:
            async with asyncio.timeout(self.answer_timeout):
                stdin.write(HEADER.pack(len(meta), len(body)) + meta)
                stdin.write(body)
                await stdin.drain()
                # Shielded: a client hanging up must not take the answer from the queue's order.
                return await asyncio.shield(fut)
        except (ConnectionError, BrokenPipeError) as exc:
            self._retire(slot, child)
            raise ParserUnavailable("a parse worker stopped; retry shortly") from exc
        except TimeoutError as exc:
            fut.cancel()  # stays queued, so that the answers that follow still find their requests
            log.error("ingestion parse worker %d did not answer in %.0f s; replacing it",
                      child.proc.pid, self.answer_timeout)
            self._retire(slot, child)
            raise ParserUnavailable("a parse worker did not answer; retry shortly") from exc

    def _retire(self, slot: int, child: _Child) -> None:
        """Take a child out of service at once (its reader fails what it still owes) and kill it."""
        if self._children[slot] is child:
            self._children[slot] = None
        with contextlib.suppress(ProcessLookupError):
            child.proc.kill()

    def warm(self) -> None:
        """Start every child in the background, so that the first requests do not wait for one."""
        for slot in range(self.size):
            if self._children[slot] is None:
                self._begin(slot)

    async def start(self) -> None:
        """Start every child and wait until they run."""
        self.warm()
        await asyncio.gather(*self._starting.values())

    def _load(self, slot: int) -> int:
        child = self._children[slot]
        return len(child.waiting) if child is not None else 0

    def _begin(self, slot: int) -> asyncio.Task[_Child]:
        """The task starting a slot's child (one, however many requests ask at the same time)."""
        task = self._starting.get(slot)
        if task is None:
            self._starting[slot] = task = asyncio.ensure_future(self._spawn(slot))
            task.add_done_callback(lambda _t: self._starting.pop(slot, None))
        return task

    async def _spawn(self, slot: int) -> _Child:
        # `--parent` only labels the child for people (and tests) looking at the process list.
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", MODULE, "--parent", str(os.getpid()), *self.pii_args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=_PIPE_BYTES,
        )
        child = _Child(proc)
        child.reader = asyncio.ensure_future(self._read_answers(slot, child))
        self._children[slot] = child
        return child

    async def _read_answers(self, slot: int, child: _Child) -> None:
        """Resolve the child's requests in order as its answers come; on its death fail the rest."""
        stdout = child.proc.stdout
        assert stdout is not None
        try:
            while True:
                meta_len, payload_len = HEADER.unpack(await stdout.readexactly(HEADER.size))
                meta = orjson.loads(await stdout.readexactly(meta_len))
                payload = await stdout.readexactly(payload_len) if payload_len else b""
                fut = child.waiting.popleft()
                if not fut.done():
                    fut.set_result(logic.Prepared.from_meta(meta, payload))
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, orjson.JSONDecodeError):
            pass  # the child died, or said something out of turn: either way it is replaced
        finally:
            self._retire(slot, child)
            while child.waiting:
                fut = child.waiting.popleft()
                if not fut.done():
                    fut.set_exception(ParserUnavailable("a parse worker stopped; retry shortly"))
            code = await child.proc.wait()
            if not self._closed:
                log.error("ingestion parse worker %d exited (code %s); the next request starts another",
                          child.proc.pid, code)

    async def close(self) -> None:
        """Let every child finish what it was sent, then stop it."""
        self._closed = True
        for task in list(self._starting.values()):
            with contextlib.suppress(Exception):
                await task
        children = [c for c in self._children if c is not None]
        for child in children:
            if child.proc.stdin is not None:
                child.proc.stdin.close()  # the child exits at end of input
        for child in children:
            try:
                await asyncio.wait_for(child.proc.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    child.proc.kill()
            if child.reader is not None:
                with contextlib.suppress(Exception):
                    await child.reader


def _retrieved(fut: asyncio.Future[logic.Prepared]) -> None:
    if not fut.cancelled():
        fut.exception()


def _widen_pipes(*fds: int) -> None:
    """Make pipes hold a whole batch (Linux; elsewhere the default size only costs wake-ups)."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl

    for fd in fds:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_BYTES)


def serve(inp: BinaryIO, out: BinaryIO, guard: Guard | None = None) -> None:
    """The child's loop: read a request, answer it, until the input ends."""
    while True:
        head = inp.read(HEADER.size)
        if len(head) < HEADER.size:
            return
        meta_len, body_len = HEADER.unpack(head)
        options = orjson.loads(inp.read(meta_len))
        body = inp.read(body_len)
        try:
            prepared = logic.prepare(body, **options, guard=guard)
        except Exception:  # a bug, not bad input (prepare answers that): the server replies 500
            log.exception("ingestion parse worker failed on a %d-byte body", body_len)
            prepared = logic.Prepared(error=logic.PayloadError("internal error while parsing the request",
                                                                status=500, code="internal"))
        meta = orjson.dumps(prepared.meta())
        out.write(HEADER.pack(len(meta), len(prepared.payload)) + meta)
        out.write(prepared.payload)
        out.flush()


def main() -> None:
    """Entry point of a child: answers on the original stdout; stray prints go to stderr."""
    # The server decides when its children stop (by closing their input): Ctrl-C in a terminal
    # reaches the whole process group, and a child must not die under requests it was sent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _widen_pipes(sys.stdin.fileno(), sys.stdout.fileno())
    guard = _guard_from_args(sys.argv[1:])
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        serve(sys.stdin.buffer, out, guard)


def _guard_from_args(argv: list[str]) -> Guard | None:
    """The PII guard named by `--secrets DIR --pii-keys JSON` (None when started without them)."""
    opts = dict(zip(argv[::2], argv[1::2], strict=False))
    if "--secrets" not in opts:
        return None
    return Guard.load(secrets_dir=Path(opts["--secrets"]), keys=tuple(orjson.loads(opts.get("--pii-keys", "[]"))))


if __name__ == "__main__":
    main()
