"""属性分析 split by a tag: a tag that is not named, or not known, is a 422 naming the dimension."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("tag", ["", "no_such_tag"])
def test_a_tag_dimension_without_a_known_name_is_a_422(analyst, tag):
    body = analyst("properties", {"dimensions": [{"tag": tag}]}, expect=422)
    assert "dimensions" in str(body.get("field") or body["detail"])
