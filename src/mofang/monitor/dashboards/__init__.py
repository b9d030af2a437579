"""Operations dashboards (MAU/AUM dual track)."""
