import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { orgsApi } from '../api/endpoints';
import { useApi } from '../common/useApi';
import { useT } from '../i18n';
import { buildOrgTree } from './orgTree';

/** Org picker fed by GET /api/orgs; works as a controlled antd form field. */
export function OrgTreeSelect({
  value,
  onChange,
  id,
}: {
  value?: string;
  onChange?: (value: string) => void;
  id?: string;
}) {
  const t = useT();
  const { data, loading } = useApi((signal) => orgsApi.list(signal), []);
  const tree = useMemo(() => buildOrgTree(data?.items ?? []), [data]);
  return (
    <TreeSelect
      id={id}
      value={value}
      onChange={onChange}
      treeData={tree}
      loading={loading}
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll
      placeholder={t('admin.users.form.orgPlaceholder')}
      styles={{ popup: { root: { maxHeight: 400, overflow: 'auto' } } }}
      data-testid="org-tree-select"
    />
  );
}
