"""Names, ID numbers and phone numbers look and check like real ones."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mofang.demo import people
from mofang.demo.orgs import build_org_tree
from mofang.platform.governance.logic import mask_phone

REGIONS = sorted({leaf.id_prefix for leaf in build_org_tree().leaves})
PREFIXES = {p for p, _ in people._MOBILE_PREFIXES}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    births=st.lists(st.dates(date(1940, 1, 1), date(2008, 12, 31)), min_size=1, max_size=40),
    region=st.sampled_from(REGIONS),
)
def test_id_numbers_carry_birth_sex_and_a_valid_check_digit(seed: int, births: list[date], region: str) -> None:
    rng = np.random.default_rng(seed)
    male = rng.random(len(births)) < 0.5
    ids = people.id_numbers(rng, region=np.full(len(births), region), birth=np.array(births, "datetime64[D]"),
                            male=male)
    for number, birth, is_male in zip(ids.tolist(), births, male, strict=True):
        assert re.fullmatch(r"\d{17}[\dX]", number), number
        assert number[:6] == region
        assert number[6:14] == birth.strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if is_male else 0)
        assert people.id_check_digit(number[:17]) == number[17]


def test_check_digit_matches_a_published_example() -> None:
    # The worked example of GB 11643-1999: 11010519491231002X.
    assert people.id_check_digit("11010519491231002") == "X"


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3000))
def test_phones_are_distinct_valid_mobiles_and_mask_like_the_console(seed: int, n: int) -> None:
    phones = people.phones(np.random.default_rng(seed), n).tolist()
    assert len(set(phones)) == n
    for p in phones:
        assert re.fullmatch(r"1\d{10}", p) and p[:3] in PREFIXES
        assert mask_phone(p) == f"{p[:3]}****{p[-4:]}"


def test_names_are_chinese_with_one_or_two_given_characters() -> None:
    rng = np.random.default_rng(3)
    male = rng.random(5000) < 0.5
    names, handles = people.names(rng, male=male, birth_year=rng.integers(1945, 2007, 5000))
    surnames = {s for s, _, _ in people._SURNAMES}
    for name, handle in zip(names.tolist(), handles.tolist(), strict=True):
        surname = name[:2] if name[:2] in surnames else name[:1]
        assert surname in surnames and 1 <= len(name) - len(surname) <= 2, name
        assert re.fullmatch(r"[a-z]+", handle)
    # Common surnames dominate, as in life: 王, 李 and 张 each carry several percent.
    top = {s: np.mean([n.startswith(s) for n in names.tolist()]) for s in "王李张"}
    assert all(share > 0.04 for share in top.values()), top
