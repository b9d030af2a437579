import type { TreeNode } from '../../api/ml';

/** Nodes in depth-first order (root, then its left subtree, then its right), as shown in the indented table. */
export function treeRows(nodes: TreeNode[]): TreeNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<number, TreeNode[]>();
  for (const n of nodes) {
    if (n.parent === null) continue;
    const list = children.get(n.parent) ?? [];
    list.push(n);
    children.set(n.parent, list);
  }
  const out: TreeNode[] = [];
  const seen = new Set<number>();
  const visit = (n: TreeNode) => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    out.push(n);
    const ordered = [n.left, n.right]
      .map((id) => (id === null || id === undefined ? undefined : byId.get(id)))
      .filter((c): c is TreeNode => c !== undefined);
    for (const c of children.get(n.id) ?? []) if (!ordered.includes(c)) ordered.push(c);
    ordered.forEach(visit);
  };
  nodes.filter((n) => n.parent === null || !byId.has(n.parent)).forEach(visit);
  return out;
}

/** A fraction (0.123) as a percentage with one decimal ("12.3%"). */
export function pct(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(1)}%`;
}

/** A lift or AUC with two decimals. */
export function num2(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(2);
}
