"""Content-library queries: templates, versions, shares and sensitive words; one scoped customer for previews."""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlglot import exp

from mofang.platform.governance.contracts import Scope
from mofang.platform.storage.eventstore import EventStore
from mofang.platform.storage.sql import Params, and_, col, compile_query
from mofang.reach.content.models import SensitiveWord, Template, TemplateShare, TemplateVersion


def template(session: Session, template_id: int) -> Template | None:
    """One template by id (unscoped: the caller checks who may see it)."""
    return session.get(Template, template_id)


def templates(session: Session, *, channel: str | None = None) -> list[Template]:
    """All templates, newest first (optionally of one channel)."""
    query = select(Template).order_by(Template.id.desc())
    if channel is not None:
        query = query.where(Template.channel == channel)
    return list(session.scalars(query))


def version(session: Session, template_id: int, number: int) -> TemplateVersion | None:
    """One saved version of a template."""
    return session.scalars(select(TemplateVersion).where(
        TemplateVersion.template_id == template_id, TemplateVersion.version == number)).first()


def versions(session: Session, template_id: int) -> list[TemplateVersion]:
    """A template's versions, newest first."""
    return list(session.scalars(select(TemplateVersion).where(TemplateVersion.template_id == template_id)
                                .order_by(TemplateVersion.version.desc())))


def shares(session: Session, template_id: int) -> list[str]:
    """Org codes a template is shared with."""
    return sorted(session.scalars(select(TemplateShare.org_code).where(TemplateShare.template_id == template_id)))


def all_shares(session: Session) -> dict[int, list[str]]:
    """Template id → org codes it is shared with (one query for a list page)."""
    out: dict[int, list[str]] = {}
    for tid, code in session.execute(select(TemplateShare.template_id, TemplateShare.org_code)):
        out.setdefault(tid, []).append(code)
    return {k: sorted(v) for k, v in out.items()}


def replace_shares(session: Session, template_id: int, org_codes: list[str]) -> None:
    """Replace a template's share list."""
    session.execute(delete(TemplateShare).where(TemplateShare.template_id == template_id))
    session.add_all(TemplateShare(template_id=template_id, org_code=c) for c in dict.fromkeys(org_codes))


def words(session: Session) -> list[SensitiveWord]:
    """The sensitive-word list, alphabetical."""
    return list(session.scalars(select(SensitiveWord).order_by(SensitiveWord.word)))


def word_by_text(session: Session, word: str) -> SensitiveWord | None:
    """A sensitive word by its text."""
    return session.scalars(select(SensitiveWord).where(SensitiveWord.word == word)).first()


def customer(store: EventStore, *, scope: Scope, customer_id: str) -> dict[str, Any] | None:
    """The fields a preview may use of one customer inside the scope (out of scope and absent look the same)."""
    params = Params()
    query = (
        sqlglot.select(*(col(c, "c") for c in ("customer_id", "name", "gender", "tier", "city")),
                       exp.alias_(col("name", "r"), "rm_name"))
        .from_(exp.alias_(exp.to_table("customers"), "c", table=True))
        .join(exp.alias_(exp.to_table("relationship_managers"), "r", table=True),
              on=exp.EQ(this=col("rm_id", "r"), expression=col("rm_id", "c")), join_type="left")
        .where(and_(exp.EQ(this=col("customer_id", "c"), expression=params(customer_id)),
                    scope.predicate(params, table="c")))
    )
    sql, values = compile_query(query, params)
    with store.read() as cur:
        res = cur.execute(sql, values)
        names = [d[0] for d in res.description]
        row = res.fetchone()
    return dict(zip(names, row, strict=True)) if row else None
