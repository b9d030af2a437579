import { Alert, Card, Space, Table, Tag, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { adminApi } from '../api/endpoints';
import type { Role } from '../api/types';
import { ErrorAlert } from '../common/ErrorAlert';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';

export default function RolesPage() {
  const { t, tv, lang } = useI18n();
  const { data, error, loading, reload } = useApi((signal) => adminApi.roles(signal), []);

  const columns: ColumnsType<Role> = [
    { title: t('admin.roles.col.id'), dataIndex: 'id', width: 160, render: (v: string) => <span className="mf-mono">{v}</span> },
    {
      title: t('admin.roles.col.name'),
      dataIndex: 'name',
      width: 220,
      render: (name: string, r) => (
        <span>
          {lang === 'en' ? r.name_en || name : name}
          {/* The Chinese name stays beside the English one (it is what colleagues call the role); zh shows zh only. */}
          {lang === 'en' && <span style={{ color: '#8c8c8c', marginInlineStart: 8 }}>{name}</span>}
        </span>
      ),
    },
    {
      title: t('admin.roles.col.permissions'),
      dataIndex: 'permissions',
      render: (perms: string[]) => (
        <Space size={[4, 4]} wrap>
          {[...perms].sort().map((p) => (
            <Tooltip key={p} title={<span className="mf-mono">{p}</span>}>
              <Tag color="blue" variant="outlined">
                {tv('perm', p)}
              </Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader title={t('admin.roles.title')} />
      <Alert type="info" showIcon title={t('admin.roles.note')} style={{ marginBottom: 12 }} />
      <Card variant="borderless" className="mf-card">
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<Role>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          pagination={false}
        />
      </Card>
    </>
  );
}
