"""The application factory: create_app(settings) -> FastAPI serving API, ingestion and console."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from mofang import __version__
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
    from mofang.insight.customers.routes import router as customers_router
    from mofang.insight.ml.routes import router as ml_router
    from mofang.insight.segments.customer_sets import SegmentCustomerSets
    from mofang.insight.tags.routes import insight_router
    from mofang.integration.routes import router as integration_router
    from mofang.monitor.dashboards.routes import router as dashboards_router
    from mofang.monitor.routes import router as monitor_router
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
    install_pii_filter()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        start_ingestion(plat)
        open_pool(plat)
        if settings.start_background and settings.scheduler:
            scheduler.start()
        try:
            yield
        finally:
            scheduler.stop()
            await close_pool(plat)
            stop_ingestion(plat)
            if platform is None:
                plat.close()

    app = FastAPI(title="Mofang 魔方", version=__version__, lifespan=lifespan, dependencies=[Depends(guard_input)])
    app.state.platform = plat
    install_error_handlers(app)
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
    # Before the analytics routes: /api/analytics/saved/... must not be read as a model name.
    app.include_router(dashboards_router)
    app.include_router(monitor_router)
    _mount_console(app, settings.console_dir)
    return app


def daily_jobs() -> list[Job]:
    """The jobs every installation runs once a business day, in the order their data flows."""
    from mofang.insight.ml.tasks import CHURN_JOB
    from mofang.insight.tags.tasks import TAGS_JOB
    from mofang.integration.tasks import SOURCES_JOB
    from mofang.monitor.alerts.tasks import ALERTS_JOB

    return [SOURCES_JOB, TAGS_JOB, CHURN_JOB, ALERTS_JOB]


def _mount_console(app: FastAPI, console_dir: Path) -> None:
    """Serve the built console at / with SPA fallback; say so plainly when it is not built."""
    index = console_dir / "index.html"
    if (console_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=console_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def console(path: str) -> FileResponse | JSONResponse:
        if path.startswith(("api/", "v1/")):
            return JSONResponse({"detail": f"no such endpoint: /{path}"}, status_code=404)
        target = (console_dir / path).resolve()
        if path and target.is_file() and target.is_relative_to(console_dir.resolve()):
            return FileResponse(target)
        if index.is_file():
            return FileResponse(index)
        return JSONResponse(
            {"detail": "the web console is not built: run `make web` (or `make demo`)"}, status_code=503
        )
