"""Pure rules of identities, as properties: normalising, masks, keyed hashes and the choice of an address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mofang.integration.identities import CHANNEL_KINDS, logic

KEY = b"k" * 32
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
dressed = st.tuples(mobiles, st.sampled_from(["", "+86", "86", "0086", "+86 "]), st.sampled_from(["", " ", "-"]))


@given(dressed)
def test_a_mobile_written_any_usual_way_is_one_identity(parts: tuple[str, str, str]) -> None:
    number, prefix, sep = parts
    written = prefix + sep.join([number[:3], number[3:7], number[7:]])
    norm = logic.normalise("mobile", written)
    assert norm == number == logic.normalise("mobile", norm)
    assert logic.value_hash(KEY, "mobile", norm) == logic.value_hash(KEY, "mobile", number)
    assert logic.value_hash(KEY, "email", norm) != logic.value_hash(KEY, "mobile", norm)  # the kind is hashed too


@given(st.text(min_size=1, max_size=80).filter(lambda s: s.strip() != ""))
def test_a_secret_mask_shows_at_most_seven_characters(value: str) -> None:
    for kind in ("wechat_openid", "push_token", "wechat_unionid"):
        shown = logic.mask(kind, value)
        assert sum(1 for ch in shown if ch != "*") <= 7
        assert len(value) > 10 or set(shown) == {"*"}  # a short secret is hidden whole


@given(mobiles)
def test_a_mobile_mask_keeps_the_first_three_and_last_four_digits(number: str) -> None:
    assert logic.mask("mobile", number) == number[:3] + "****" + number[-4:]


def _cand(i: int, kind: str, source: str, seen_days: int | None) -> logic.Candidate:
    seen = None if seen_days is None else datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=seen_days)
    return logic.Candidate(customer_id="K1", kind=kind, value=None, value_enc="x", masked="m", source=source,
                           last_seen=seen, id=i)


@given(st.lists(st.tuples(st.sampled_from(["mobile", "push_token", "app_user", "customer_no", "email"]),
                          st.sampled_from(["customers", "file:identities", "events"]),
                          st.one_of(st.none(), st.integers(0, 100))), max_size=8),
       st.sampled_from(list(CHANNEL_KINDS)))
def test_the_chosen_address_is_of_the_channels_best_kind_held(rows: list[tuple[str, str, int | None]],
                                                              channel: str) -> None:
    cands = [_cand(i, k, s, d) for i, (k, s, d) in enumerate(rows)]
    chosen = logic.best(channel, cands)
    held = [c for c in cands if c.kind in CHANNEL_KINDS[channel]]
    if not held:
        assert chosen is None
        return
    assert chosen is not None
    best_kind = min(CHANNEL_KINDS[channel].index(c.kind) for c in held)
    assert CHANNEL_KINDS[channel].index(chosen.kind) == best_kind
    same = [c for c in held if CHANNEL_KINDS[channel].index(c.kind) == best_kind]
    if any(c.source != "customers" for c in same):
        assert chosen.source != "customers"  # what the bank declared beats the master copy
