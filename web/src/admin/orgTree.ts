import type { Org } from '../api/types';

export interface OrgTreeNode {
  title: string;
  value: string;
  key: string;
  children?: OrgTreeNode[];
}

/**
 * Flat org list → TreeSelect data. An org whose parent is missing from the list (the user's own
 * subtree root, for instance) becomes a root. Siblings keep code order; cycles are broken.
 */
export function buildOrgTree(orgs: Org[]): OrgTreeNode[] {
  const byCode = new Map(orgs.map((o) => [o.code, o]));
  const children = new Map<string, Org[]>();
  const roots: Org[] = [];
  for (const org of orgs) {
    const parent = org.parent_code;
    if (parent && parent !== org.code && byCode.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(org);
      children.set(parent, list);
    } else {
      roots.push(org);
    }
  }
  const byCodeOrder = (a: Org, b: Org) => a.code.localeCompare(b.code);
  const seen = new Set<string>();
  const toNode = (org: Org): OrgTreeNode => {
    seen.add(org.code);
    const kids = (children.get(org.code) ?? []).filter((c) => !seen.has(c.code)).sort(byCodeOrder);
    const node: OrgTreeNode = { title: `${org.name} (${org.code})`, value: org.code, key: org.code };
    if (kids.length) node.children = kids.map(toNode);
    return node;
  };
  const tree = roots.sort(byCodeOrder).map(toNode);
  // Orgs only reachable through a cycle were never visited: show them as roots rather than lose them.
  for (const org of orgs) if (!seen.has(org.code)) tree.push(toNode(org));
  return tree;
}
