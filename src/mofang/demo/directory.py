"""The metadata side of the demo bank: its org tree and the console users people log in as."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from mofang.demo.orgs import OrgTree
from mofang.demo.population import Population, Staff
from mofang.platform.errors import Conflict
from mofang.platform.governance import service as gov
from mofang.platform.governance.contracts import OrgRead, UserCreate

DEMO_PASSWORD = "Mofang@2026"


@dataclass(frozen=True)
class DemoUser:
    """A console login of the demo."""

    username: str
    role: str
    org_code: str
    display_name: str
    rm_id: str | None = None


def demo_rm(pop: Population, staff: Staff, tree: OrgTree, home: str = "GD-SZ-001") -> int:
    """The RM `rm_demo` logs in as: the busiest RM of 深圳南山支行 (or of the bank, if they have nobody)."""
    book = np.bincount(pop.rm[pop.rm >= 0], minlength=staff.rm_id.size)
    local = np.flatnonzero(staff.leaf == tree.leaf_index(home))
    best = local[np.argmax(book[local])]
    return int(best if book[best] > 0 else np.argmax(book))


def demo_users(pop: Population, staff: Staff, tree: OrgTree) -> list[DemoUser]:
    """One user per role, placed so that data scope can be seen at work."""
    rm = demo_rm(pop, staff, tree)
    return [
        DemoUser("admin", "admin", "HQ", "系统管理员"),
        DemoUser("hq_ops", "hq_operator", "HQ", "总行运营 刘洋"),
        DemoUser("gd_ops", "branch_operator", "GD", "广东分行运营 黄敏"),
        DemoUser("sz_ops", "branch_operator", "GD-SZ", "深圳分行运营 林晓婷"),
        DemoUser("analyst", "analyst", "HQ", "数据分析师 周子涵"),
        DemoUser("approver", "approver", "HQ", "审批人 王建国"),
        DemoUser("rm_demo", "rm", tree.leaves[int(staff.leaf[rm])].code, f"客户经理 {staff.name[rm]}",
                 str(staff.rm_id[rm])),
    ]


def write_directory(*, session: Session, tree: OrgTree, users: list[DemoUser]) -> int:
    """Load the org tree and create the demo users that do not exist yet; returns users created."""
    gov.upsert_orgs(session=session, orgs=[
        OrgRead(code=o.code, name=o.name, parent_code=o.parent_code, level=o.level) for o in tree.nodes
    ])
    created = 0
    for u in users:
        try:
            # A savepoint per user: an existing login (e.g. made with `mofang user add`) is kept as it is.
            with session.begin_nested():
                gov.create_user(session=session, actor="demo", data=UserCreate(
                    username=u.username, password=DEMO_PASSWORD, display_name=u.display_name, role=u.role,
                    org_code=u.org_code, rm_id=u.rm_id,
                ))
            created += 1
        except Conflict:
            continue
    return created
