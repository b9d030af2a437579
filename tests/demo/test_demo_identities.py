"""`mofang seed` fills identities (every channel has addresses) and the profiles every worker reads."""

from __future__ import annotations

from demo.bank import CUSTOMERS, SEED, Bank
from mofang.demo.identities import WECHAT_SHARE, prepare_identities
from mofang.insight import profiles
from mofang.integration import identities


def test_the_demo_bank_is_addressable_on_every_channel_and_has_profiles(bank: Bank) -> None:
    lines = prepare_identities(platform=bank.platform, seed=SEED)
    assert lines[0].startswith("identities:") and lines[1].startswith("profiles:")
    ids = [r[0] for r in bank.rows("SELECT customer_id FROM customers ORDER BY customer_id")]
    with_phone = {r[0] for r in bank.rows("SELECT customer_id FROM customers WHERE phone_enc IS NOT NULL")}
    app_users = {r[0] for r in bank.rows("SELECT DISTINCT user_id FROM events WHERE channel IN ('app', 'h5')")}
    with bank.platform.metadata.session() as session:
        got = {ch: identities.addresses_of(session=session, customer_ids=ids, channel=ch) for ch in identities.CHANNELS}
        some = profiles.get_profiles(session=session, customer_ids=ids)
    assert len(ids) == CUSTOMERS and set(got["rm_task"]) == set(ids) and set(got["sms"]) == with_phone
    assert set(got["push"]) == app_users & set(ids) and app_users
    assert {a.kind for a in got["push"].values()} == {"push_token", "app_user"}
    assert abs(len(got["wechat"]) / len(ids) * 100 - WECHAT_SHARE) < 10
    sample = next(iter(got["wechat"].values()))
    assert identities.reveal(sample, crypto=bank.platform.cipher).startswith("oDemo") and sample.value is None
    assert len(some) == CUSTOMERS and all(p.org_code for p in some.values())
    # Seeding again (same seed) adds nothing.
    again = prepare_identities(platform=bank.platform, seed=SEED)
    assert again[0].startswith("identities: 0 from the customer master, 0 app users from events, 0 WeChat")
