"""The process's shared resources, built once from settings and handed to every part."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mofang.platform.crypto import PiiCipher, signing_key
from mofang.platform.settings import Settings
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.metadata import Metadata, migrate
from mofang.platform.storage.models import as_utc, utcnow


@dataclass
class Platform:
    """Settings plus the open databases and keys; `extras` holds long-lived services by name."""

    settings: Settings
    metadata: Metadata
    store: EventStore
    cipher: PiiCipher
    token_key: bytes
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        """Release the bus (when opened), worker thread pools kept in `extras`, and the databases."""
        bus = self.extras.pop("bus", None)
        if bus is not None:
            bus.close()
        for name, value in list(self.extras.items()):
            if isinstance(value, Executor):
                self.extras.pop(name).shutdown(wait=True)
        self.store.close()
        self.metadata.dispose()



def now_of(platform: Platform) -> datetime:
    """The platform's clock, aware UTC (tests pin it through extras['clock']; naive values are UTC)."""
    clock = platform.extras.get("clock")
    return as_utc(clock()) if clock else utcnow()


def open_metadata(settings: Settings) -> Metadata:
    """Create the data dir, apply migrations and sync the role catalogue: all that user and key admin need.

    It leaves the event store alone, so it works beside a running `mofang serve` (DuckDB allows one writer process).
    """
    from mofang.platform.governance.service import sync_roles

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    metadata = Metadata(settings.resolved_metadata_url())
    migrate(metadata.engine)
    with metadata.session() as session:
        sync_roles(session=session)
    return metadata


def open_platform(settings: Settings) -> Platform:
    """Open the metadata database (migrated) and the event store, and load the keys."""
    metadata = open_metadata(settings)
    return Platform(
        settings=settings,
        metadata=metadata,
        store=EventStore(settings.resolved_event_store_path(), memory_limit=settings.store_memory_limit),
        cipher=PiiCipher(settings.secrets_dir()),
        token_key=signing_key(settings.secrets_dir()),
    )
