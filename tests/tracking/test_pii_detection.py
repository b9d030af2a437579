"""PII detection in event properties and traits: key names, value shapes (checksums), deterministic masks."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from mofang.platform.pii import (
    DEFAULT_KEYS,
    PiiPolicy,
    id_checksum_ok,
    is_bank_card,
    is_email,
    is_mobile,
    is_resident_id,
    luhn_ok,
    mask_text,
    prefilter_regex,
    shape_of,
)
from mofang.platform.settings import Settings

POLICY = PiiPolicy.of(DEFAULT_KEYS)
digits = st.text(alphabet=string.digits, min_size=1, max_size=1)


def id_check(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character, computed the textbook way (independently of the code)."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def luhn_digit(body: str) -> str:
    """The digit that makes body + digit pass Luhn (brute force: whichever of 0-9 does)."""
    return next(d for d in string.digits if _luhn_sum(body + d) % 10 == 0)


def _luhn_sum(number: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total


def test_known_numbers() -> None:
    assert is_resident_id("11010519491231002X") and is_resident_id("11010519491231002x")
    assert not is_resident_id("110105194912310021")  # wrong check digit
    assert is_mobile("13812345678") and not is_mobile("12812345678") and not is_mobile("1381234567")
    assert is_bank_card("6222021234567890128") and not is_bank_card("6222021234567890129")
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")
    assert is_email("zhang.san+1@bank.com.cn") and not is_email("zhang@")
    assert shape_of("20261206") is None and shape_of("1733480000000") is None  # dates and epoch millis


@given(st.text(alphabet=string.digits, min_size=17, max_size=17))
def test_an_id_number_is_valid_with_its_check_character_only(first17: str) -> None:
    good = id_check(first17)
    assert id_checksum_ok(first17 + good) and is_resident_id(first17 + good)
    for other in "0123456789X":
        if other != good:
            assert not id_checksum_ok(first17 + other)


@given(st.text(alphabet=string.digits, min_size=15, max_size=18), st.data())
def test_luhn_accepts_its_check_digit_and_catches_any_single_digit_typo(body: str, data: st.DataObject) -> None:
    card = body + luhn_digit(body)
    assert luhn_ok(card) and is_bank_card(card)
    i = data.draw(st.integers(0, len(card) - 1))
    typo = data.draw(st.sampled_from([d for d in string.digits if d != card[i]]))
    assert not luhn_ok(card[:i] + typo + card[i + 1:])


def test_keys_match_case_and_separators_insensitively_at_any_depth() -> None:
    props = {"Phone": "13812345678", "ID_NUMBER": "11010519491231002X", "idCard": "abc12345678",
             "user": {"real-name": "欧阳娜娜", "contacts": [{"EMAIL": "zhangsan@example.com"}]},
             "product_name": "魔方优选", "amount": 100}
    assert POLICY.mask_tree(props) == {
        "Phone": "138****5678", "ID_NUMBER": "110***********002X", "idCard": "abc****5678",
        "user": {"real-name": "欧***", "contacts": [{"EMAIL": "z***@example.com"}]},
        "product_name": "魔方优选", "amount": 100}


def test_values_shaped_like_pii_are_masked_under_any_key_and_inside_text() -> None:
    props = {"note": "请回电 13912345678 或 a.b@c.cn", "ref": "11010519491231002X", "card": 6222021234567890128,
             "order_id": "20261206000123456", "ts": 1733480000000}
    assert POLICY.mask_tree(props) == {
        "note": "请回电 139****5678 或 a***@c.cn", "ref": "110***********002X", "card": "622************0128",
        "order_id": "20261206000123456", "ts": 1733480000000}


def test_the_key_list_comes_from_settings() -> None:
    policy = Settings(pii_keys=["member_code"]).pii_policy()
    assert policy.mask_tree({"memberCode": "A12345678", "phone": "x"}) == {"memberCode": "A12**5678", "phone": "x"}


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
                      st.sampled_from(["13812345678", "11010519491231002X", "a@b.cn", "6222021234567890128"]))
json_tree = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["phone", "Name", "note", "x", "id_card", "v"]), inner, max_size=4)),
    max_leaves=20)


@given(st.dictionaries(st.sampled_from(["phone", "Name", "note", "x", "id_card"]), json_tree, max_size=5))
def test_masking_is_idempotent_so_masked_data_groups_as_it_was_stored(tree: dict) -> None:
    once = POLICY.mask_tree(tree)
    assert POLICY.mask_tree(once) == once


@given(json_tree)
def test_the_cheap_check_never_misses_what_masking_would_change(tree: object) -> None:
    if not POLICY.touches(tree):
        assert POLICY.mask_tree(tree) == tree


@given(st.text(alphabet=string.digits, min_size=9, max_size=9), st.text(max_size=10), st.text(max_size=10))
def test_no_mobile_survives_in_free_text(rest: str, before: str, after: str) -> None:
    phone = "13" + rest
    masked = mask_text(f"{before} {phone} {after}")
    assert phone not in masked


def test_the_store_prefilter_finds_candidate_rows_only() -> None:
    found = re.compile(prefilter_regex(POLICY)).search
    assert not found('{"product_id":"P-FUND-1","amount":100}')
    assert found('{"Mobile_Phone":"x"}') and found('{"a":"13812345678"}') and found('{"a":"x@y.cn"}')


def test_logs_mask_cards_and_emails_as_well() -> None:
    from mofang.platform.logging import scrub

    assert scrub("card 6222021234567890128 of zhangsan@example.com, tel 13812345678") == (
        "card 622************0128 of z***@example.com, tel 138****5678")
