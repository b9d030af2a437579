"""Pure segment rules: who sees what, masking of member rows, list parsing, composition shaping."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from mofang.insight.segments.contracts import Bucket, Composition, MemberRow
from mofang.platform.csvfile import Lang
from mofang.platform.governance.logic import Scope, in_subtree, mask_name

CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_LIST_ROWS = 1_000_000
COMPOSITION_DIMENSIONS = ("age_band", "gender", "province", "tier", "risk_level", "product_type", "lifecycle")
EXPORT_COLUMNS = ("customer_id", "name", "gender", "age", "phone", "province", "city", "tier", "risk_level", "aum",
                  "org_code", "rm_id")
EXPORT_COLUMNS_ZH = ("客户号", "姓名", "性别", "年龄", "手机号", "省份", "城市", "客户层级", "风险等级",
                     "资产余额AUM(元)", "管户机构", "客户经理")
GENDER_ZH = {"M": "男", "F": "女"}


def receives(*, user_org: str, share_all: bool, shared_with: list[str]) -> bool:
    """Whether a user's org receives a set shared with the bank or with these orgs (subtrees included)."""
    return share_all or any(in_subtree(user_org, code) for code in shared_with)


def owns(scope: Scope, owner_org: str) -> bool:
    """Whether a definition owned by `owner_org` lies inside the user's org subtree."""
    return scope.kind != "rm" and scope.allows_org(owner_org)


def covers(scope: Scope, owner_org: str) -> bool:
    """Whether a viewer sees every customer of an owner's subtree (then figures stored for the owner are theirs)."""
    return scope.kind == "all" or (scope.kind == "org" and in_subtree(owner_org, scope.org_code))


def age_on(birth_date: date | None, today: date) -> int | None:
    """Whole years between birth and today."""
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def member_row(row: dict[str, Any], *, today: date) -> MemberRow:
    """A member as shown: name masked, phone masked, birth date reduced to age."""
    return MemberRow(
        customer_id=row["customer_id"], name=mask_name(row["name"]), gender=row["gender"],
        age=age_on(row["birth_date"], today), phone=row["phone_masked"], province=row["province"],
        city=row["city"], tier=row["tier"], risk_level=row["risk_level"], aum=row["aum"], org_code=row["org_code"],
        rm_id=row["rm_id"],
    )


def export_header(lang: Lang) -> list[str]:
    """The header line of a member export in the reader's language."""
    return list(EXPORT_COLUMNS_ZH if lang == "zh" else EXPORT_COLUMNS)


def export_line(row: MemberRow, *, name: str | None = None, phone: str | None = None, lang: Lang = "en"
                ) -> list[Any]:
    """One CSV line of an export (clear name/phone only when given, i.e. unmasked and permitted)."""
    data = row.model_dump()
    if lang == "zh":
        data["gender"] = GENDER_ZH.get(data["gender"], data["gender"])
    if name is not None:
        data["name"] = name
    if phone is not None:
        data["phone"] = phone
    return [data[c] for c in EXPORT_COLUMNS]


def parse_id_list(content: bytes) -> tuple[list[str], list[dict[str, str | int]]]:
    """Customer ids of an uploaded CSV (header `customer_id` optional) and the rejected lines with reasons."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [{"line": 0, "value": "", "reason": "the file is not UTF-8 text"}]
    ids: list[str] = []
    rejects: list[dict[str, str | int]] = []
    seen: set[str] = set()
    for n, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        value = (record[0] if record else "").strip()
        if n == 1 and value.lower() in ("customer_id", "客户号", "客户编号"):
            continue
        if not value:
            continue
        if len(ids) >= MAX_LIST_ROWS:
            rejects.append({"line": n, "value": value[:64], "reason": f"more than {MAX_LIST_ROWS} ids"})
            break
        if not CUSTOMER_ID.match(value):
            rejects.append({"line": n, "value": value[:64], "reason": "not a valid customer id"})
        elif value in seen:
            rejects.append({"line": n, "value": value, "reason": "duplicate"})
        else:
            seen.add(value)
            ids.append(value)
    return ids, rejects


def composition(rows: list[dict[str, Any]]) -> Composition:
    """Shape (dim, value, n) rows into chart buckets with shares of the member total."""
    total = next((int(r["n"]) for r in rows if r["dim"] == "_total"), 0)
    dims: dict[str, list[Bucket]] = {d: [] for d in COMPOSITION_DIMENSIONS}
    for r in rows:
        if r["dim"] == "_total" or r["dim"] not in dims:
            continue
        value = r["value"] if r["value"] is not None else "未知"
        dims[r["dim"]].append(Bucket(value=value, count=int(r["n"]), ratio=round(r["n"] / total, 4) if total else 0))
    for buckets in dims.values():
        buckets.sort(key=lambda b: (-b.count, b.value))
    return Composition(total=total, dimensions=dims)
