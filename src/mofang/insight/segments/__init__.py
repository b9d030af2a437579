"""Segments (客群): condition trees compiled to scoped queries, members, composition, sets, flows.

The compiler is shared with the tag system (tag rules are written in the same condition language).
"""

from mofang.insight.segments.compiler import (
    CUSTOMER,
    Context,
    attribute_expr,
    check_event,
    condition,
    customers,
    event_rows,
    property_expr,
    property_filters,
    table,
    tag_as_of,
    window_bounds,
)

__all__ = ["CUSTOMER", "Context", "attribute_expr", "check_event", "condition", "customers", "event_rows",
           "property_expr", "property_filters", "table", "tag_as_of", "window_bounds"]

from mofang.insight.segments.logic import covers
from mofang.insight.segments.service import context, get_catalogue, owner_scope, today_of, visible_to_org

__all__ += ["context", "covers", "get_catalogue", "owner_scope", "today_of", "visible_to_org"]
