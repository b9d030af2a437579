"""Segments and tags as customer sets for other centres (analytics filters, funnel drop-offs).

Implements the `CustomerSets` protocol of `mofang.monitor.analytics` by compiling ordinary segment
conditions, so visibility, validation and scope are exactly those of the segment builder.
"""

from __future__ import annotations

from sqlglot import exp

from mofang.insight.segments import compiler as comp
from mofang.insight.segments import queries, service
from mofang.insight.segments.contracts import Condition, ListCondition, SegmentCondition, SegmentCreate, TagCondition
from mofang.platform.context import Platform
from mofang.platform.errors import Invalid
from mofang.platform.governance.contracts import Principal, Scope
from mofang.platform.storage.sql import Params

ALL = Scope(kind="all")


def _viewer(scope: Scope) -> Principal:
    """A principal that sees exactly `scope` (visibility of segments follows the viewer's org)."""
    return Principal(user_id=0, username="system", display_name="system", role="analyst", org_code=scope.org_code,
                     rm_id=scope.rm_id, permissions=frozenset(), scope=scope)


class SegmentCustomerSets:
    """Customer sets backed by saved segments, tags and imported lists."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def _ids(self, cond: Condition, *, params: Params, scope: Scope, viewer: Scope) -> exp.Query:
        with self.platform.metadata.session() as session:
            ctx = service.context(platform=self.platform, session=session, who=_viewer(viewer), tree=cond,
                                  today=service.today_of(self.platform))
            return queries.ids_query(comp.condition(cond, ctx, params), scope, params)

    def segment_members(self, segment_id: str, *, params: Params, scope: Scope) -> exp.Query:
        """`SELECT customer_id` of a segment the scope may see (422 naming it when it may not)."""
        # Definitions stored before ids were checked at write may hold anything: a 422, never a traceback.
        if not (segment_id.isascii() and segment_id.isdigit()):
            raise Invalid(f"'{segment_id[:40]}' is not a segment id", field="customers.segment_ids")
        cond = SegmentCondition(type="segment", segment_id=int(segment_id))
        return self._ids(cond, params=params, scope=scope, viewer=scope)

    def tag_members(self, tag: str, value: str | None, *, params: Params) -> exp.Query:
        """`SELECT customer_id` of customers carrying a tag (with this value when given)."""
        cond = TagCondition(type="tag", tag=tag, op="is_not_null") if value is None else \
            TagCondition(type="tag", tag=tag, op="eq", value=value)
        return self._ids(cond, params=params, scope=ALL, viewer=ALL)

    def save_static_segment(self, *, name: str, customer_ids: list[str], who: Principal) -> str:
        """A static segment of these customers (via an imported list), owned by `who`; returns its id."""
        content = ("customer_id\n" + "\n".join(customer_ids) + "\n").encode()
        with self.platform.metadata.session() as session:
            listed = service.import_list(platform=self.platform, session=session, who=who, name=name, content=content,
                                         audit=False)
            seg = service.create(platform=self.platform, session=session, who=who, data=SegmentCreate(
                name=name, description="", kind="static",
                definition=ListCondition(type="list", list_id=listed.id)))
        return str(seg.id)
