"""Campaigns and their lifecycle (活动与审批): drafts, maker-checker approvals, launch into strategies, MGM rules.

Facade for other packages: the approval hooks of the canvas and the content library, and the generic approvals.
"""

from mofang.campaigns.lifecycle.approvals import decide, is_approved, needs_approval, request_approval
from mofang.campaigns.lifecycle.service import content_needs_approval, strategy_needs_approval
from mofang.campaigns.lifecycle.tasks import run_due

__all__ = ["content_needs_approval", "decide", "is_approved", "needs_approval", "request_approval", "run_due",
           "strategy_needs_approval"]
