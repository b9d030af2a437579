"""Customer insight centre (客户洞察中心)."""
