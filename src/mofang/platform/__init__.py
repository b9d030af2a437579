"""Cross-cutting platform: settings, storage, errors, governance, scheduling."""
