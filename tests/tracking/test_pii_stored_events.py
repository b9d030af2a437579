"""Events stored in clear by an older version are masked at rest when ingestion starts, once."""

from __future__ import annotations

from datetime import datetime

import orjson

from factories import events_for
from mofang.platform.context import Platform
from mofang.tracking import pii
from mofang.tracking.service import start_ingestion, stop_ingestion

PHONE = "13812345678"


def test_clear_events_are_masked_with_the_original_encrypted_once(platform: Platform) -> None:
    events_for(platform, {"C1": [("apply", datetime(2026, 11, 1, 2), {"phone": PHONE, "amount": 5}),
                                 ("login", datetime(2026, 11, 1, 3), {"page": "home"})]})
    start_ingestion(platform)
    try:
        rows = {r["event"]: r for r in platform.store.query("SELECT event, properties, context FROM events")}
        assert orjson.loads(rows["apply"]["properties"]) == {"phone": "138****5678", "amount": 5}
        token = orjson.loads(rows["apply"]["context"])[pii.CIPHER_KEY]
        assert orjson.loads(platform.cipher.decrypt(token)) == {"phone": PHONE, "amount": 5}
        assert orjson.loads(rows["login"]["properties"]) == {"page": "home"}
        with platform.store.write() as cur:
            cur.execute("CHECKPOINT")
        assert not any(PHONE.encode() in p.read_bytes() for p in platform.settings.data_dir.rglob("*") if p.is_file())
        assert pii.protect_stored(platform) == 0  # done once per key list
    finally:
        stop_ingestion(platform)
