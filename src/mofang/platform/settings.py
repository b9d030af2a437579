"""Settings, built once and passed into the app (nothing reads the environment at import time)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mofang.platform.pii import DEFAULT_KEYS, PiiPolicy


def _default_console_dir() -> Path:
    """The built console beside the source tree (editable installs) or inside the package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "web" / "dist", here.parents[1] / "web_dist"):
        if candidate.is_dir():
            return candidate
    return here.parents[3] / "web" / "dist"


DEMO_MARKER = "demo-bank"  # written by `mofang seed`: this data dir holds the generated demo bank


class Settings(BaseSettings):
    """Everything the process needs to know; env prefix MOFANG_."""

    model_config = SettingsConfigDict(env_prefix="MOFANG_", extra="ignore")

    data_dir: Path = Field(default=Path("data"))
    metadata_url: str | None = None  # default: SQLite file in data_dir
    event_store_path: Path | None = None  # default: DuckDB file in data_dir
    console_dir: Path = Field(default_factory=_default_console_dir)
    host: str = "127.0.0.1"
    port: int = 8000
    token_ttl_minutes: int = Field(default=15, ge=1)  # access tokens: short, the console refreshes them silently
    refresh_ttl_minutes: int = Field(default=480, ge=1)  # a login lasts this long without any activity
    # None: Secure refresh cookie exactly when the request came over https.
    cookie_secure: bool | None = None
    login_max_failures: int = 5  # failures of one (username, address) pair before it must wait
    login_window_seconds: int = 300  # failures older than this (after any wait) are forgotten
    login_backoff_seconds: int = 30  # the first wait; each further failure doubles it
    login_backoff_max_seconds: int = 900
    # Hosts outgoing HTTP calls (alert webhooks, channels) may reach although they resolve to internal
    # addresses, comma-separated; administrators can add more in the console (audited).
    outbound_allow_hosts: str = ""
    outbound_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    ingest_flush_interval_ms: int = 500
    ingest_dedupe_days: int = 30
    # DuckDB's memory cap for the event store (loads, queries): a share of RAM ("50%") or a size ("8GB"); beyond
    # it DuckDB spills to disk. Its own default, 80 %, let a 50M-transaction load reach 16.6 GB on a 24 GB box.
    store_memory_limit: str = Field(default="50%", pattern=r"^\s*\d+(\.\d+)?\s*(%|[KMGT]i?B|B)\s*$")
    # Nice value of DuckDB's worker threads while ingestion runs (0: leave them as they are): on a small
    # box, moving events into DuckDB yields the cores to acknowledging requests.
    ingest_worker_niceness: int = Field(default=10, ge=0, le=19)
    # Child processes that decode and validate /v1 bodies, so that the event loop only moves bytes
    # (0: parse in the server process). About one per core.
    ingest_parse_workers: int = Field(default=2, ge=0, le=64)
    max_event_bytes: int = 32 * 1024
    max_batch_bytes: int = 500 * 1024
    start_background: bool = True  # ingestion flusher and scheduler threads
    scheduler: bool = True  # run the daily jobs (tags, churn scores, alerts) in the background
    # Journey engine timers, outbox dispatch and event consumer inside `mofang serve` (off: `mofang worker`s do it).
    engine_workers_embedded: bool = True
    smtp_host: str = "127.0.0.1"  # alert e-mails go through this SMTP server
    smtp_port: int = 25
    smtp_from: str = "mofang@localhost"
    # Event property / trait keys whose values are personal data (case, `_` and `-` ignored; any depth).
    # Values shaped like a mobile, resident ID, bank card or e-mail are PII under any key.
    pii_keys: list[str] = Field(default_factory=lambda: list(DEFAULT_KEYS))
    # Scale-out: counters shared by every worker process (contact-policy caps, rate limits, ...); None keeps them
    # in-process.
    redis_url: str | None = None
    redis_key_prefix: str = "mofang:"  # every Redis key starts with it (several installations, or tests, share one)
    # Benefit claims (抢券) and issues: the concurrent requests of a process are decided together, at most
    # `claims_batch_size` per Redis script call or database transaction; `claims_workers` batches of one event loop
    # may be deciding at once (while one waits for Redis the next is sent). Processes scale out on one Redis.
    claims_batch_size: int = Field(default=256, ge=1, le=4096)
    claims_workers: int = Field(default=2, ge=1, le=64)
    # Journey engine: instances stepped (and outbox members claimed) per metadata transaction. Larger batches cost
    # less per customer (a 100k segment entry: 5.3 s at 500, 4.8 s at 2,000) and hold SQLite's one writer longer
    # (≈ 0.1 s per 2,000 customers).
    engine_batch: int = Field(default=2000, ge=1, le=20000)
    # App push limits checked when a template is saved (characters, variables at their longest): vendors and
    # phone lock screens cut beyond these.
    reach_push_title_max: int = Field(default=20, ge=5, le=100)
    reach_push_body_max: int = Field(default=100, ge=10, le=1000)
    # None: the embedded bus (a SQLite queue file in data_dir); nats://host:4222 → NATS JetStream.
    bus_url: str | None = None
    # The address customers and vendors reach this server at (tracked links /r/..., vendor callbacks);
    # default: http://<host>:<port>.
    reach_public_url: str | None = None
    # The demo's response simulator answers sandbox deliveries with simulated opens, clicks and conversions.
    # None: on exactly when `mofang seed` made this data dir (it leaves DEMO_MARKER there).
    demo_simulator: bool | None = None

    def resolved_metadata_url(self) -> str:
        """The SQLAlchemy URL of the metadata database."""
        return self.metadata_url or f"sqlite:///{(self.data_dir / 'mofang.sqlite').resolve()}"

    def resolved_event_store_path(self) -> Path:
        """The DuckDB file holding events, customers and facts."""
        return self.event_store_path or self.data_dir / "events.duckdb"

    def outbound_allow_list(self) -> frozenset[str]:
        """The allow-listed outbound hosts of the settings, lower case."""
        return frozenset(h.strip().lower() for h in self.outbound_allow_hosts.split(",") if h.strip())

    def pii_policy(self) -> PiiPolicy:
        """What counts as PII in event properties and traits."""
        return PiiPolicy.of(tuple(self.pii_keys))

    def demo_simulator_on(self) -> bool:
        """Whether this installation is a demo whose sandbox deliveries get simulated answers."""
        if self.demo_simulator is not None:
            return self.demo_simulator
        return (self.data_dir / DEMO_MARKER).is_file()

    def public_url(self) -> str:
        """Where customers' browsers and vendors' callbacks reach this server."""
        return (self.reach_public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def secrets_dir(self) -> Path:
        """Where the signing and PII encryption keys are kept (created on first use)."""
        return self.data_dir / "secrets"
