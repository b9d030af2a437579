"""Identity stitching in the store: links, backfill with and without the orphan index, across restarts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from ingest_helpers import Sender, track

from mofang.app import create_app
from mofang.platform.context import Platform
from mofang.tracking import identity, logic, repository


def store(platform: Platform, msgs: list[dict[str, Any]], orphans: identity.OrphanIndex | None) -> None:
    now = logic.now_us()
    records = [logic.normalise(m, received_us=now) for m in msgs]
    assert all(isinstance(r, dict) for r in records), records
    with platform.store.write() as cur:
        repository.insert(cur, repository.records_table(records), orphans)  # type: ignore[arg-type]


def customers(platform: Platform) -> dict[str, str | None]:
    return {r["message_id"]: r["customer_id"] for r in platform.store.query(
        "SELECT message_id, customer_id FROM events WHERE type = 'track'")}


@pytest.mark.parametrize("cap", [None, 100, 1], ids=["full-scan", "index", "index-overflowed"])
def test_backfill_reaches_every_orphan(platform: Platform, cap: int | None) -> None:
    orphans = identity.OrphanIndex(cap=cap) if cap else None
    store(platform, [track(anonymousId="dev-a", messageId="a1"), track(anonymousId="dev-b", messageId="b1")],
          orphans)
    store(platform, [track(anonymousId="dev-a", messageId="a2")], orphans)
    if orphans is not None:
        assert orphans.complete == (cap != 1)
    store(platform, [{"type": "identify", "userId": "C-A", "anonymousId": "dev-a"},
                     {"type": "alias", "userId": "C-B", "previousId": "dev-b"}], orphans)
    assert customers(platform) == {"a1": "C-A", "a2": "C-A", "b1": "C-B"}
    if orphans is not None:
        assert len(orphans) == 0


def test_first_link_of_an_anonymous_id_wins(platform: Platform) -> None:
    store(platform, [track(anonymousId="shared", messageId="s1"),
                     {"type": "identify", "userId": "C1", "anonymousId": "shared"},
                     {"type": "identify", "userId": "C2", "anonymousId": "shared"}], None)
    store(platform, [{"type": "identify", "userId": "C3", "anonymousId": "shared"}], None)
    assert identity.user_of(platform.store, anonymous_id="shared") == "C1"
    assert customers(platform) == {"s1": "C1"}


def test_orphans_from_before_a_restart_are_still_backfilled(platform: Platform, settings: Any,
                                                              write_key: str) -> None:
    with TestClient(create_app(settings, platform=platform)) as client:
        Sender(client, write_key).batch([track(anonymousId="dev-r", messageId="r1")])
    with TestClient(create_app(settings, platform=platform)) as client:
        assert len(platform.extras["ingestor"].orphans) == 1  # rebuilt from the store at start
        Sender(client, write_key).post("/v1/identify", {"userId": "C-R", "anonymousId": "dev-r"})
    assert customers(platform) == {"r1": "C-R"}
