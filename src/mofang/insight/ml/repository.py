"""ML storage: model rows and settings in the metadata DB, model binaries (joblib) under data_dir/models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
from sqlalchemy import select
from sqlalchemy.orm import Session

from mofang.insight.ml.models import MlModel, MlSetting


def models_dir(data_dir: Path) -> Path:
    """Where model binaries live."""
    path = data_dir / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_binary(data_dir: Path, name: str, obj: Any) -> str:
    """Store a fitted model; returns its file name (relative to the models dir)."""
    joblib.dump(obj, models_dir(data_dir) / name, compress=3)
    return name


def load_binary(data_dir: Path, name: str) -> Any:
    """Load a fitted model stored by `save_binary` (only files this process wrote: joblib runs pickle)."""
    return joblib.load(models_dir(data_dir) / name)


def model(session: Session, model_id: int) -> MlModel | None:
    """One model."""
    return session.get(MlModel, model_id)


def models(session: Session, kind: str) -> list[MlModel]:
    """Models of a kind, newest first."""
    return list(session.scalars(select(MlModel).where(MlModel.kind == kind).order_by(MlModel.id.desc())).all())


def active(session: Session, kind: str) -> MlModel | None:
    """The model of a kind currently in use."""
    query = select(MlModel).where(MlModel.kind == kind, MlModel.active.is_(True)).order_by(MlModel.id.desc())
    return session.scalars(query).first()


def setting(session: Session, key: str) -> MlSetting | None:
    """A setting row."""
    return session.get(MlSetting, key)


def put_setting(session: Session, key: str, value: dict[str, Any], username: str | None) -> MlSetting:
    """Create or replace a setting."""
    row = session.get(MlSetting, key)
    if row is None:
        row = MlSetting(key=key, value=value, updated_by=username)
        session.add(row)
    else:
        row.value, row.updated_by = value, username
    session.flush()
    return row

