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


def test_a_new_key_list_re_masks_from_the_originals_without_losing_them(tmp_path) -> None:
    from mofang.platform.context import open_platform
    from mofang.platform.settings import Settings

    first = open_platform(Settings(data_dir=tmp_path / "d", start_background=False, scheduler=False))
    try:
        events_for(first, {"C1": [("apply", datetime(2026, 11, 1, 2), {"phone": PHONE, "member_code": "M12345678"})]})
        assert pii.protect_stored(first) == 1
    finally:
        first.close()
    again = open_platform(Settings(data_dir=tmp_path / "d", start_background=False, scheduler=False,
                                   pii_keys=["phone", "member_code"]))
    try:
        assert pii.protect_stored(again) == 1
        [row] = again.store.query("SELECT properties, context FROM events")
        assert orjson.loads(row["properties"]) == {"phone": "138****5678", "member_code": "M12**5678"}
        token = orjson.loads(row["context"])[pii.CIPHER_KEY]
        assert orjson.loads(again.cipher.decrypt(token)) == {"phone": PHONE, "member_code": "M12345678"}
    finally:
        again.close()


def test_bulk_imports_mask_pii_like_the_api(platform: Platform, tmp_path) -> None:
    from mofang.tracking.importer import import_file

    path = tmp_path / "events.jsonl"
    path.write_bytes(orjson.dumps({"type": "identify", "userId": "C1", "messageId": "i1",
                                   "timestamp": "2025-06-01T09:00:00+08:00",
                                   "traits": {"email": "zhangsan@example.com", "idCard": "11010519491231002X"}}))
    assert import_file(platform=platform, path=path).accepted == 1
    [row] = platform.store.query("SELECT properties FROM events")
    assert orjson.loads(row["properties"]) == {"email": "z***@example.com", "idCard": "110***********002X"}
