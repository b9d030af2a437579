"""Entry points run outside a request: the `mofang load` command's file load."""

from __future__ import annotations

from pathlib import Path

from mofang.integration import service
from mofang.integration.contracts import LoadRead, Mapping, Mode
from mofang.platform.context import Platform


def load_from_cli(*, platform: Platform, entity: str, file: Path, mode: Mode, mapping_file: Path | None,
                  source: str | None, reject_threshold: float) -> LoadRead:
    """Load a file as the operator `cli` (the mapping read from a JSON file when given)."""
    mapping = Mapping.model_validate_json(mapping_file.read_text(encoding="utf-8")) if mapping_file else None
    return service.load_file(platform=platform, entity=entity, path=file, file_name=file.name, mode=mode,
                             mapping=mapping, source=source, reject_threshold=reject_threshold, username="cli")
