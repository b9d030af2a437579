"""Tag system (标签体系): rule-defined tags in four families, computed daily with interval history."""
