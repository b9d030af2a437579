"""Integration services: loads (file, push, database sources) and the catalogue (entities, history, rejects)."""

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
from mofang.integration.service.identity_push import coverage_for, push_batch, put_identities
from mofang.integration.service.loads import (
    DEFAULT_REJECT_THRESHOLD,
    HOST,
    load_file,
    push_attribute_values,
    push_customer,
)
from mofang.integration.service.sources import (
    get_source_or_raise,
    list_sources,
    run_source,
    save_database_source,
    scheduled_sources,
)

__all__ = [
    "DEFAULT_REJECT_THRESHOLD",
    "HOST",
    "coverage_for",
    "declare_attribute",
    "entity_or_raise",
    "get_load_or_raise",
    "get_source_or_raise",
    "list_attributes",
    "list_entities",
    "list_loads",
    "list_sources",
    "load_file",
    "push_attribute_values",
    "push_batch",
    "push_customer",
    "put_identities",
    "rejects_dir",
    "rejects_file",
    "run_source",
    "save_database_source",
    "scheduled_sources",
    "spec_for",
]
