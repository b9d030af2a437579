"""The application factory: create_app(settings) -> FastAPI serving API, ingestion and console."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from mofang import __version__
from mofang.demo.simulator import start_demo_simulator
from mofang.platform.context import Platform, open_platform
from mofang.platform.errors import install_error_handlers
from mofang.platform.governance.auth import LoginLimiter
from mofang.platform.governance.routes import router as governance_router
from mofang.platform.http_headers import SecurityHeaders
from mofang.platform.input_guard import guard_input
from mofang.platform.jobs_routes import router as jobs_router
from mofang.platform.logging import install_pii_filter
from mofang.platform.scheduler import Job, Scheduler
from mofang.platform.settings import Settings

log = logging.getLogger("mofang")


def create_app(settings: Settings, *, platform: Platform | None = None) -> FastAPI:
    """Build the app around one platform (opened here unless given)."""
    from mofang.campaigns.benefits import claims_async
    from mofang.campaigns.benefits import tasks as benefits_tasks
    from mofang.campaigns.benefits.routes import bank_router as benefits_bank_router
    from mofang.campaigns.benefits.routes import router as benefits_router
    from mofang.campaigns.lifecycle.api_routes import router as campaign_api_router
    from mofang.campaigns.lifecycle.h5 import router as campaign_h5_router
    from mofang.campaigns.lifecycle.routes import approvals_router
    from mofang.campaigns.lifecycle.routes import router as campaigns_router
    from mofang.campaigns.lifecycle.tasks import DueCampaigns
    from mofang.campaigns.templates.routes import router as campaign_templates_router
    from mofang.insight.customers.routes import router as customers_router
    from mofang.insight.ml.routes import router as ml_router
    from mofang.insight.segments.customer_sets import SegmentCustomerSets
    from mofang.insight.tags.routes import insight_router
    from mofang.integration.routes import router as integration_router
    from mofang.monitor.dashboards.routes import router as dashboards_router
    from mofang.monitor.routes import router as monitor_router
    from mofang.reach.content.routes import router as content_router
    from mofang.reach.delivery import app_routes as reach_app_routes
    from mofang.reach.delivery import routes as reach_routes
    from mofang.reach.delivery import sandbox_routes as reach_sandbox_routes
    from mofang.reach.delivery import vendor_sandbox_routes
    from mofang.reach.delivery.tasks import Pump
    from mofang.reach.placement import service as placement_service
    from mofang.reach.placement.routes import FastDecisions
    from mofang.reach.placement.routes import router as placement_router
    from mofang.strategy.canvas.routes import router as strategy_router
    from mofang.strategy.contact_policy.routes import router as contact_policy_router
    from mofang.strategy.engine import tasks as engine_tasks
    from mofang.strategy.engine.routes import router as engine_router
    from mofang.strategy.experiments.routes import router as experiments_router
    from mofang.strategy.smart.routes import router as smart_router
    from mofang.tracking import routes as tracking_routes
    from mofang.tracking.parsers import close_pool, open_pool
    from mofang.tracking.service import start_ingestion, stop_ingestion

    plat = platform or open_platform(settings)
    plat.extras.setdefault(
        "login_limiter",
        LoginLimiter(max_failures=settings.login_max_failures, window_seconds=settings.login_window_seconds,
                     backoff_seconds=settings.login_backoff_seconds,
                     max_backoff_seconds=settings.login_backoff_max_seconds),
    )
    scheduler = plat.extras.setdefault("scheduler", Scheduler(plat, daily_jobs()))
    plat.extras.setdefault("customer_sets", SegmentCustomerSets(plat))
    reach_pump = Pump(plat)
    due_campaigns = DueCampaigns(plat)
    install_pii_filter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        start_ingestion(plat)
        open_pool(plat)
        simulator = None
        if settings.start_background and settings.scheduler:
            scheduler.start()
        if settings.start_background:
            engine_tasks.start_embedded(plat)
            reach_pump.start()
            benefits_tasks.start(plat)
            due_campaigns.start()
            simulator = start_demo_simulator(plat)
            threading.Thread(target=_refresh_stale_profiles, args=(plat,), name="mofang-profiles-upgrade",
                             daemon=True).start()
        try:
            yield
        finally:
            await placement_service.close(platform=plat)  # queued impressions, while ingestion still runs
            await claims_async.close(plat)  # claims being decided are answered; the loop's Redis client closed
            if simulator is not None:
                simulator.stop()
            due_campaigns.stop()
            benefits_tasks.stop(plat)
            reach_pump.stop()
            engine_tasks.stop_embedded(plat)
            scheduler.stop()
            await close_pool(plat)
            stop_ingestion(plat)
            if platform is None:
                plat.close()

    app = FastAPI(title="Mofang 魔方", version=__version__, lifespan=lifespan, dependencies=[Depends(guard_input)])
    app.state.platform = plat
    install_error_handlers(app)
    app.add_middleware(FastDecisions)  # inside SecurityHeaders: its answers carry the same headers
    app.add_middleware(SecurityHeaders)

    @app.get("/api/health", tags=["platform"])
    def health() -> dict[str, str]:
        """Liveness: the process is up and its stores are open."""
        return {"status": "ok", "version": __version__}

    app.include_router(governance_router)
    app.include_router(jobs_router)
    app.include_router(customers_router)
    app.include_router(insight_router())
    app.include_router(ml_router)
    app.include_router(tracking_routes.router)
    app.include_router(integration_router)
    app.include_router(engine_router)
    app.include_router(benefits_router)
    app.include_router(benefits_bank_router)
    # Before the analytics routes: /api/analytics/saved/... must not be read as a model name.
    app.include_router(dashboards_router)
    app.include_router(monitor_router)
    app.include_router(contact_policy_router)
    app.include_router(content_router)
    app.include_router(smart_router)  # before /api/strategies/{strategy_id}
    app.include_router(strategy_router)
    app.include_router(experiments_router)
    app.include_router(reach_routes.router)
    app.include_router(reach_routes.public_router)
    app.include_router(reach_app_routes.router)
    app.include_router(reach_sandbox_routes.router)
    app.include_router(vendor_sandbox_routes.router)
    app.include_router(placement_router)
    app.include_router(campaign_templates_router)  # before /api/campaigns/{campaign_id}
    app.include_router(campaigns_router)
    app.include_router(approvals_router)
    app.include_router(campaign_api_router)
    app.include_router(campaign_h5_router)
    _mount_console(app, settings.console_dir)
    return app


def _refresh_stale_profiles(plat: Platform) -> None:
    """After an upgrade that added profile columns, recompute the profiles once (in the background)."""
    from mofang.insight.profiles import refresh_if_stale

    try:
        report = refresh_if_stale(platform=plat)
    except Exception:  # the nightly run retries; the server must not fail to start over it
        log.exception("refreshing the customer profiles after an upgrade failed")
        return
    if report is not None:
        log.info("customer profiles recomputed after an upgrade: %d written", report.written)


def daily_jobs() -> list[Job]:
    """The jobs every installation runs once a business day, in the order their data flows."""
    from mofang.campaigns.benefits.tasks import EXPIRY_JOB
    from mofang.insight.ml.tasks import CHURN_JOB
    from mofang.insight.tags.tasks import TAGS_JOB
    from mofang.integration.tasks import IDENTITIES_JOB, SOURCES_JOB
    from mofang.monitor.alerts.tasks import ALERTS_JOB
    from mofang.strategy.contact_policy.tasks import POLICY_PURGE_JOB
    from mofang.strategy.smart.tasks import SMART_JOB

    return [SOURCES_JOB, IDENTITIES_JOB, TAGS_JOB, CHURN_JOB, SMART_JOB, ALERTS_JOB, POLICY_PURGE_JOB, EXPIRY_JOB]


def _mount_console(app: FastAPI, console_dir: Path) -> None:
    """Serve the built console at / with SPA fallback; say so plainly when it is not built."""
    index = console_dir / "index.html"
    if (console_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=console_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def console(path: str) -> FileResponse | JSONResponse:
        if path.startswith(("api/", "v1/", "sandbox/")):
            return JSONResponse({"detail": f"no such endpoint: /{path}"}, status_code=404)
        target = (console_dir / path).resolve()
        if path and target.is_file() and target.is_relative_to(console_dir.resolve()):
            return FileResponse(target)
        if index.is_file():
            return FileResponse(index)
        return JSONResponse(
            {"detail": "the web console is not built: run `make web` (or `make demo`)"}, status_code=503
        )
