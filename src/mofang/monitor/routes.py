"""All HTTP routes of the monitoring centre, as one router for the app to include."""

from __future__ import annotations

from fastapi import APIRouter

from mofang.monitor.alerts.routes import router as alerts_router
from mofang.monitor.analytics.routes import router as analytics_router
from mofang.monitor.effects.routes import router as effects_router

router = APIRouter()
router.include_router(analytics_router)
router.include_router(alerts_router)
router.include_router(effects_router)
