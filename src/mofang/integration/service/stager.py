"""Staging a load's checked batches; a large customers load hashes and encrypts them on every core.

Keyed hashes, Fernet and masks are Python holding the GIL (≈ 20 CPU-s per million customers): threads would take
turns on one core, so batches past the first `POOL_AFTER_ROWS` go to worker processes while this one reads the
next batch and appends the finished ones to the stage. A daily delta stays in this process (a worker costs about
a second to start). Workers get the derived hash keys and read the PII key from the data dir's secrets, as the
platform does; they never open the event store (this process holds it).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa

from mofang.integration import identities
from mofang.integration.contracts import EntitySpec
from mofang.integration.service.staging import Column, hash_key, insert_staged, staged_columns
from mofang.platform.context import Platform
from mofang.platform.crypto import PiiCipher

POOL_AFTER_ROWS = 100_000
WORKERS = 2  # the machine of the floors has two cores; more workers than cores only queue
IN_FLIGHT = 2 * WORKERS  # batches handed out and not yet staged: enough to keep every worker busy, no more memory

_worker: dict[str, Any] = {}  # a worker process's keys, set once by `_start_worker`


def spawned_pool(workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """Worker processes for a load: spawned, never forked (this process runs DuckDB's and SQLite's threads, whose
    locks a fork would copy mid-use)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=initializer,
                               initargs=initargs)


def _start_worker(secrets_dir: str, row_key: bytes, id_key: bytes) -> None:
    """A worker's keys: the hash keys as the load derived them, the PII key from the secrets."""
    _worker.update(cipher=PiiCipher(Path(secrets_dir)), row_key=row_key, id_key=id_key)


def _staged_in_worker(spec: EntitySpec, batch: pa.Table, columns: list[str]) -> pa.Table:
    """`staged_columns` of an Arrow batch in a worker process, as an Arrow table (cheap to send back)."""
    values = {c: batch.column(c).to_pylist() for c in columns}
    added = staged_columns(spec, values, columns, row_key=_worker["row_key"], id_key=_worker["id_key"],
                           encrypt_many=_worker["cipher"].encrypt_many)
    return pa.table({c: pa.array(v, pa.string()) for c, v in added.items()})


class Stager:
    """Stages batches of one load in order; call `finish` once all are added, `close` always."""

    def __init__(self, platform: Platform, *, spec: EntitySpec, stage: str, columns: list[str],
                 target_cols: list[str], typed: set[str]) -> None:
        self._platform, self._spec, self._stage = platform, spec, stage
        self._columns, self._target_cols, self._typed = columns, target_cols, typed
        self._row_key, self._id_key = hash_key(platform), identities.hash_key(platform)
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[tuple[pa.Table, Future[pa.Table]]] = deque()
        self._rows = 0

    def add_rows(self, numbers: list[int], values: dict[str, list[Any]]) -> None:
        """Stage checked rows held as columns (field → values), here in this process."""
        self._append(numbers, values, self._staged(values))
        self._rows += len(numbers)

    def add_batch(self, batch: pa.Table) -> None:
        """Stage an Arrow batch of checked rows (`_row` and the fields' columns), in a worker once the load is large."""
        if self._spec.name == "customers" and self._rows >= POOL_AFTER_ROWS:
            self._pending.append((batch, self._workers().submit(_staged_in_worker, self._spec, batch,
                                                                self._columns)))
            while len(self._pending) > IN_FLIGHT:
                self._append_oldest()
        else:
            values = {c: batch.column(c).to_pylist() for c in self._columns}
            self._append(batch.column("_row"), batch, self._staged(values))
        self._rows += batch.num_rows

    def finish(self) -> None:
        """Stage what the workers still hold, then stop them."""
        while self._pending:
            self._append_oldest()
        self.close()

    def close(self) -> None:
        """Stop the workers (a failed load drops what they were doing)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()

    def _staged(self, values: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return staged_columns(self._spec, values, self._columns, row_key=self._row_key, id_key=self._id_key,
                              encrypt_many=self._platform.cipher.encrypt_many)

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = spawned_pool(WORKERS, initializer=_start_worker,
                                      initargs=(str(self._platform.settings.secrets_dir()), self._row_key,
                                                self._id_key))
        return self._pool

    def _append_oldest(self) -> None:
        batch, future = self._pending.popleft()
        added = future.result()
        self._append(batch.column("_row"), batch, {c: added.column(c) for c in added.column_names})

    def _append(self, rows: Column, values: pa.Table | dict[str, Column], added: dict[str, Column]) -> None:
        if isinstance(values, pa.Table):
            values = {c: values.column(c) for c in self._columns}
        insert_staged(self._platform, spec=self._spec, stage=self._stage, rows=rows, values=values, added=added,
                      target_cols=self._target_cols, typed=self._typed)
