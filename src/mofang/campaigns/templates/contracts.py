"""Public types of campaign templates: typed parameters, the definition shown in the gallery, the compiled result."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mofang.strategy.canvas.contracts import Graph

ParamType = Literal["int", "number", "string", "bool", "enum", "event", "events", "benefit", "content", "time",
                    "prizes", "days"]


class Param(BaseModel):
    """One parameter of a template: typed, with a default and bounds (the console draws the form from it)."""

    key: str
    label: str
    type: ParamType
    description: str = ""
    required: bool = True
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: list[str] | None = None
    channel: str | None = None  # for `content`: the channel the template must be of


class TemplateRead(BaseModel):
    """A template as the gallery shows it."""

    id: str
    name: str
    description: str
    category: str
    params: list[Param]
    h5: bool = True


class Prize(BaseModel):
    """One prize of a lottery: a benefit (None: a thank-you), its probability and its stock."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    benefit_id: int | None = Field(default=None, ge=1)
    probability: float = Field(gt=0, lt=1)
    stock: int = Field(ge=0, le=100_000_000)


class NamedGraph(BaseModel):
    """One strategy a campaign compiles into: a name (suffix) and its canvas graph."""

    key: str
    name: str
    graph: Graph


class Funnel(BaseModel):
    """A funnel saved to analytics when the campaign starts (`/api/analytics/saved`, model `funnel`)."""

    name: str
    steps: list[str]
    window_days: int


class Compiled(BaseModel):
    """What a template's parameters compile into: strategies, referenced benefits and content, a funnel."""

    graphs: list[NamedGraph]
    benefit_ids: list[int]
    content_ids: list[int]
    funnel: Funnel | None = None
    rules: dict[str, Any] = Field(default_factory=dict)  # what the customer API enforces (caps, days, prizes)


class PreviewRequest(BaseModel):
    """Parameters to preview (defaults fill the rest) and an optional audience segment."""

    model_config = ConfigDict(extra="forbid")
    params: dict[str, Any] = Field(default_factory=dict)
    segment_id: int | None = Field(default=None, ge=1)


class PreviewNode(BaseModel):
    """A node of a compiled graph, listed for the wizard's preview."""

    id: str
    type: str
    title: str | None
    next: list[str]


class PreviewGraph(BaseModel):
    """One compiled strategy as a list of nodes (and the graph itself)."""

    key: str
    name: str
    nodes: list[PreviewNode]
    graph: dict[str, Any]


class PreviewRead(BaseModel):
    """The compiled strategies of a template with the given parameters."""

    template_id: str
    params: dict[str, Any]
    strategies: list[PreviewGraph]
    benefit_ids: list[int]
    content_ids: list[int]
    funnel: Funnel | None
