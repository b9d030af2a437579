import { describe, expect, it } from 'vitest';
import type { Org } from '../api/types';
import { buildOrgTree } from './orgTree';

const org = (code: string, parent: string | null, name = code): Org => ({ code, name, parent_code: parent, level: null });

describe('buildOrgTree', () => {
  it('nests branches under head office in code order', () => {
    const tree = buildOrgTree([org('HQ', null, '总行'), org('BJ02', 'HQ'), org('BJ01', 'HQ'), org('BJ0101', 'BJ01')]);
    expect(tree).toHaveLength(1);
    expect(tree[0].title).toBe('总行 (HQ)');
    expect(tree[0].children?.map((c) => c.value)).toEqual(['BJ01', 'BJ02']);
    expect(tree[0].children?.[0].children?.[0].value).toBe('BJ0101');
  });

  it('treats an org whose parent is not visible as a root', () => {
    const tree = buildOrgTree([org('SH01', 'HQ'), org('SH0101', 'SH01')]);
    expect(tree.map((n) => n.value)).toEqual(['SH01']);
  });

  it('never loses orgs caught in a parent cycle', () => {
    const tree = buildOrgTree([org('A', 'B'), org('B', 'A')]);
    const all: string[] = [];
    const walk = (nodes: typeof tree) => nodes.forEach((n) => (all.push(n.value), n.children && walk(n.children)));
    walk(tree);
    expect(all.sort()).toEqual(['A', 'B']);
  });
});
