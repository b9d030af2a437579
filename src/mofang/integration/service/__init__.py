"""Integration services: loads (file, push) and the catalogue (entities, attributes, history, rejects)."""

from mofang.integration.service.catalogue import (
    declare_attribute,
    entity_or_raise,
    get_load_or_raise,
    list_attributes,
    list_entities,
    list_loads,
    rejects_dir,
    rejects_file,
    spec_for,
)
from mofang.integration.service.loads import DEFAULT_REJECT_THRESHOLD, HOST, load_file, push_customer

__all__ = [
    "DEFAULT_REJECT_THRESHOLD", "HOST", "declare_attribute", "entity_or_raise", "get_load_or_raise",
    "list_attributes", "list_entities", "list_loads", "load_file", "push_customer", "rejects_dir", "rejects_file",
    "spec_for",
]
