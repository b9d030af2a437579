"""Campaign templates (活动模板): parameterised scenarios that compile into canvas graphs (pure)."""

from mofang.campaigns.templates.contracts import Compiled, Funnel, NamedGraph, Param, TemplateRead
from mofang.campaigns.templates.logic import aum_qualifies, draw, draw_point, streak
from mofang.campaigns.templates.scenarios import SCENARIOS, compile_template, scenario

__all__ = ["SCENARIOS", "Compiled", "Funnel", "NamedGraph", "Param", "TemplateRead", "aum_qualifies",
           "compile_template", "draw", "draw_point", "scenario", "streak"]
