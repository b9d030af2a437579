"""The ingestion write-ahead log: accepted events are on disk before the client hears 200.

Layout: `data_dir/ingest-wal/<segment number, 20 digits>.wal`, append-only. Each append of one
request's records is a frame `<u32 payload length><u32 crc32(payload)><payload>`, the payload being
the records as JSON lines (orjson never writes a raw newline inside a line), so that the flusher can
hand whole payloads to Arrow's JSON reader without touching Python objects. A position
`(segment, offset)` names the end of a frame.
A crash can leave a torn last frame (length or CRC does not match): nobody was told 200 for it,
so replay stops there and the tail is cut off.

One writer thread does group commit: it takes every frame queued while the previous fsync ran,
writes them with one gathered write and one fdatasync(), then answers all of those requests at once.
Frame headers (with the CRC) are made by the caller, so that the writer needs the GIL as little as possible: each time
it wants it back while the event loop is busy costs up to a switch interval of latency.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

log = logging.getLogger("mofang.tracking.wal")

Position = tuple[int, int]  # (segment number, byte offset just past a frame)
FRAME = struct.Struct("<II")
SUFFIX = ".wal"
DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
MAX_FRAME_BYTES = 256 * 1024 * 1024  # larger "lengths" are torn headers, not frames
_IOV_MAX = 1024


class WalClosed(RuntimeError):
    """The log is closed or broken; nothing more can be appended."""


def frame_header(payload: bytes) -> bytes:
    """The header of the frame holding one payload."""
    return FRAME.pack(len(payload), zlib.crc32(payload))


def encode_frame(payload: bytes) -> bytes:
    """The frame holding one payload."""
    return frame_header(payload) + payload


def count_lines(payload: bytes) -> int:
    """How many records a payload holds."""
    return payload.count(b"\n") + 1 if payload else 0


def segment_path(directory: Path, number: int) -> Path:
    """The file of segment `number`."""
    return directory / f"{number:020d}{SUFFIX}"


def segments(directory: Path) -> list[int]:
    """The segment numbers present, ascending."""
    if not directory.is_dir():
        return []
    out = []
    for p in directory.iterdir():
        if p.suffix == SUFFIX and p.stem.isdigit():
            out.append(int(p.stem))
    return sorted(out)


def read_frames(path: Path, start: int = 0) -> tuple[list[tuple[int, bytes]], int]:
    """The payloads of the whole frames of a segment from `start`, each with its end offset, and where they end."""
    data = path.read_bytes()
    frames: list[tuple[int, bytes]] = []
    pos = start
    while pos + FRAME.size <= len(data):
        length, crc = FRAME.unpack_from(data, pos)
        end = pos + FRAME.size + length
        if length > MAX_FRAME_BYTES or end > len(data):
            break
        payload = data[pos + FRAME.size:end]
        if zlib.crc32(payload) != crc:
            break
        frames.append((end, payload))
        pos = end
    return frames, pos


def scan(directory: Path, after: Position) -> Iterator[tuple[Position, bytes]]:
    """Every frame written after position `after`, in order; a torn tail is cut off the file."""
    seg_after, off_after = after
    for number in segments(directory):
        if number < seg_after:
            continue
        path = segment_path(directory, number)
        start = off_after if number == seg_after else 0
        size = path.stat().st_size
        if start > size:
            # Position beyond the file: the store and the log disagree; trust the store (no replay).
            log.warning("WAL segment %s is shorter than the flushed position; skipping it", path.name)
            continue
        frames, valid_end = read_frames(path, start)
        for end, payload in frames:
            yield (number, end), payload
        if valid_end < size:
            log.warning("WAL segment %s: cutting %d bytes of torn or corrupt tail", path.name,
                        size - valid_end)
            with path.open("r+b") as fh:
                fh.truncate(valid_end)
                os.fsync(fh.fileno())


def remove_before(directory: Path, number: int) -> None:
    """Delete the segments numbered below `number` (their records are all in the store)."""
    for n in segments(directory):
        if n < number:
            segment_path(directory, n).unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WalWriter:
    """Appends frames to a fresh segment and fsyncs them in groups from one dedicated thread."""

    def __init__(
        self,
        directory: Path,
        *,
        first_segment: int,
        on_durable: Callable[[Position, list[bytes], int], None],
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
    ) -> None:
        self.directory = directory
        self._on_durable = on_durable
        self._segment_bytes = segment_bytes
        self._cond = threading.Condition()
        self._queue: list[tuple[bytes, bytes, int, Future[Position]]] = []
        self._closing = False
        self._broken: str | None = None
        directory.mkdir(parents=True, exist_ok=True)
        self._number = first_segment
        self._fd = self._open(first_segment)
        self._offset = 0
        self._thread = threading.Thread(target=self._run, name="mofang-wal-writer", daemon=True)
        self._thread.start()

    @property
    def segment(self) -> int:
        """The segment being appended to."""
        return self._number

    def _open(self, number: int) -> int:
        fd = os.open(segment_path(self.directory, number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        # The new file's directory entry must itself be durable before frames in it count.
        _fsync_dir(self.directory)
        return fd

    def append(self, payload: bytes, count: int) -> Future[Position]:
        """Queue a payload of `count` records; the future resolves once it is on disk."""
        fut: Future[Position] = Future()
        header = frame_header(payload)  # here, in the caller's thread (see the module docstring)
        with self._cond:
            if self._closing or self._broken:
                raise WalClosed(self._broken or "the ingestion log is closed")
            self._queue.append((header, payload, count, fut))
            self._cond.notify()
        return fut

    def close(self) -> None:
        """Write what is queued, stop the thread and close the file."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join()
        os.close(self._fd)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                group, self._queue = self._queue, []
            if not group:
                return  # closing, and nothing left
            self._commit(group)

    def _commit(self, group: list[tuple[bytes, bytes, int, Future[Position]]]) -> None:
        """Write and fsync one group, then answer its requests."""
        if self._broken:
            for *_, fut in group:
                fut.set_exception(WalClosed(self._broken))
            return
        buffers = [b for g in group for b in (g[0], g[1])]
        size = sum(len(b) for b in buffers)
        try:
            # One gathered write, no copy; a short write (rare: signals, full disk) finishes by hand.
            written = os.writev(self._fd, buffers) if len(buffers) <= _IOV_MAX else 0
            if written < size:
                view = memoryview(b"".join(buffers))[written:]
                while view:
                    view = view[os.write(self._fd, view):]
            os.fdatasync(self._fd)
        except OSError as exc:
            log.error("ingestion WAL write failed: %s", exc)
            try:
                os.ftruncate(self._fd, self._offset)  # drop the partial group: nobody got 200 for it
            except OSError:
                self._broken = f"the ingestion log cannot be written: {exc}"
            for *_, fut in group:
                fut.set_exception(exc)
            return
        self._offset += size
        pos: Position = (self._number, self._offset)
        try:
            self._on_durable(pos, [g[1] for g in group], sum(g[2] for g in group))
        finally:
            for *_, fut in group:
                fut.set_result(pos)
        if self._offset >= self._segment_bytes:
            self._rotate()

    def _rotate(self) -> None:
        """Continue in the next segment, so that flushed ones can be deleted whole."""
        try:
            fd = self._open(self._number + 1)
        except OSError as exc:
            log.error("ingestion WAL rotation failed, staying on segment %d: %s", self._number, exc)
            return
        os.close(self._fd)
        self._fd, self._number, self._offset = fd, self._number + 1, 0
