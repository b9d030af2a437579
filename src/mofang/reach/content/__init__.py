"""Content and script library (内容库 / 话术库): templates per channel in a placeholder language without
expressions, versions, sharing, per-channel validation and sensitive words; `render` for the delivery service."""

from mofang.reach.content.contracts import TemplateRead
from mofang.reach.content.service import get_template, list_templates, render, sensitive_hits, templates_for_org

__all__ = ["TemplateRead", "get_template", "list_templates", "render", "sensitive_hits", "templates_for_org"]
