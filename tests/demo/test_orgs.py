"""The demo org tree nests like a real bank's."""

from __future__ import annotations

from mofang.demo.orgs import build_org_tree


def test_tree_nests_head_office_province_city_branch() -> None:
    tree = build_org_tree()
    seen: dict[str, int] = {}
    for node in tree.nodes:
        assert node.code not in seen, node.code
        if node.parent_code is None:
            assert (node.code, node.level) == ("HQ", 0)
        else:
            assert node.parent_code in seen, "parents come first"
            assert seen[node.parent_code] == node.level - 1
            if node.level > 1:
                assert node.code.startswith(node.parent_code + "-")
        seen[node.code] = node.level
    provinces = [n for n in tree.nodes if n.level == 1]
    assert len(provinces) == 12 and {"GD", "ZJ", "JS", "BJ", "SH", "HB", "HN"} <= {p.code for p in provinces}
    assert 180 <= len(tree.leaves) <= 220
    assert {leaf.code for leaf in tree.leaves} == {n.code for n in tree.nodes if n.level == 3}
    names = {n.code: n.name for n in tree.nodes}
    assert (names["GD"], names["GD-SZ"], names["GD-SZ-001"]) == ("广东省分行", "深圳市分行", "深圳南山支行")
    assert all(leaf.name.endswith("支行") and len(leaf.id_prefix) == 6 for leaf in tree.leaves)
