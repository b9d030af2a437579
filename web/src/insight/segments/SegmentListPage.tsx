import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { HTMLAttributes } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../../api/errors';
import { segmentsApi, type SegmentRead } from '../../api/insight';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { ErrorAlert } from '../../common/ErrorAlert';
import { FailureTag } from '../../common/FailureTag';
import { formatDate, formatDateTime, orDash } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { countLeaves } from './tree';
import { useActorName } from '../../common/actor';

export default function SegmentListPage() {
  const { t } = useI18n();
  const actor = useActorName();
  const { can } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { data, error, loading, reload } = useApi((signal) => segmentsApi.list(signal), []);

  const remove = async (s: SegmentRead) => {
    try {
      await segmentsApi.remove(s.id);
      message.success(t('seg.deleted'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const columns: ColumnsType<SegmentRead> = [
    {
      title: t('seg.col.name'),
      dataIndex: 'name',
      // A fixed width with ellipsis: a long description no longer widens this column until the other headers
      // wrap one character per line (the table lays out fixed, the whole text is the tooltip).
      width: 280,
      ellipsis: { showTitle: false },
      render: (name: string, s) => (
        <div>
          <Link to={`/insight/segments/${s.id}`} data-testid={`segment-link-${s.id}`}>
            {name}
          </Link>
          <FailureTag error={s.last_error} at={s.last_error_at} testId={`segment-error-${s.id}`} />
          {s.description && (
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: s.description }}>
                {s.description}
              </Typography.Text>
            </div>
          )}
        </div>
      ),
    },
    {
      title: t('seg.col.kind'),
      dataIndex: 'kind',
      width: 90,
      render: (k: string) => <Tag color={k === 'static' ? 'gold' : 'blue'}>{t(k === 'static' ? 'seg.static' : 'seg.dynamic')}</Tag>,
    },
    {
      title: t('seg.col.conditions'),
      key: 'conditions',
      width: 90,
      align: 'right',
      render: (_: unknown, s) => (s.definition ? countLeaves(s.definition) : orDash(null)),
    },
    {
      title: t('seg.col.count'),
      dataIndex: 'last_count',
      width: 110,
      align: 'right',
      render: (n: number | null) => <span className="mf-num">{n === null ? '—' : n.toLocaleString('en-US')}</span>,
    },
    { title: t('seg.col.evaluated'), dataIndex: 'last_evaluated_on', width: 120, render: (d: string | null) => formatDate(d) },
    { title: t('seg.col.owner'), dataIndex: 'owner_org', width: 120, render: (v: string) => <span className="mf-mono">{v}</span> },
    { title: t('seg.col.createdBy'), dataIndex: 'created_by', width: 110, render: actor },
    { title: t('seg.col.updated'), dataIndex: 'updated_at', width: 170, render: (d: string) => formatDateTime(d) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 130,
      render: (_: unknown, s) => (
        <Space size={4}>
          <Button size="small" type="link" onClick={() => navigate(`/insight/segments/${s.id}`)}>
            {s.editable ? t('seg.edit') : t('seg.view')}
          </Button>
          {s.editable && (
            <Popconfirm title={t('seg.confirmDelete', { name: s.name })} onConfirm={() => remove(s)}>
              <Button size="small" type="link" danger icon={<DeleteOutlined />} aria-label={t('seg.delete')} />
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('seg.title')}
        subtitle={t('seg.subtitle')}
        extra={
          can(PERM_CAMPAIGN_EDIT) && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/insight/segments/new')} data-testid="segment-new">
              {t('seg.new')}
            </Button>
          )
        }
      />
      <Card variant="borderless" className="mf-card">
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<SegmentRead>
          rowKey="id"
          size="small"
          columns={columns.map((c) => ({ ...c, onHeaderCell: () => ({ style: { whiteSpace: 'nowrap' } }) }))}
          dataSource={data?.items ?? []}
          loading={loading}
          tableLayout="fixed"
          scroll={{ x: columns.reduce((sum, c) => sum + (typeof c.width === 'number' ? c.width : 0), 0) }}
          locale={{ emptyText: loading ? ' ' : t('seg.empty') }}
          onRow={(s) => ({ 'data-testid': `segment-row-${s.id}` }) as HTMLAttributes<HTMLElement>}
          pagination={{ pageSize: 20, showTotal: (n) => t('common.total', { n }), hideOnSinglePage: true }}
          data-testid="segment-table"
        />
      </Card>
    </>
  );
}
