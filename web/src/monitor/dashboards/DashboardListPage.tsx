import { DeleteOutlined, EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Popconfirm, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { Link, useNavigate } from 'react-router';
import { dashboardsApi, type Dashboard } from '../../api/dashboards';
import { errorMessage } from '../../api/errors';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { DashboardFormModal } from './DashboardFormModal';
import { SavedAnalysesTable } from './SavedAnalysesTable';

/** 运营监控 · 分析看板: the dashboards the user owns or that colleagues share. */
export default function DashboardListPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const list = useApi((signal) => dashboardsApi.list(signal), []);
  const [editing, setEditing] = useState<Dashboard | 'new'>();
  const [tab, setTab] = useState<'boards' | 'saved'>('boards');

  const remove = async (d: Dashboard) => {
    try {
      await dashboardsApi.remove(d.id);
      message.success(t('dash.deleted'));
      list.reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  return (
    <>
      <PageHeader
        title={t('dash.title')}
        subtitle={t('dash.subtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              {t('common.refresh')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="dash-new">
              {t('dash.new')}
            </Button>
          </>
        }
      />
      <Card variant="borderless" className="mf-card">
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as 'boards' | 'saved')}
          items={[
            {
              key: 'boards',
              label: <span data-testid="dash-tab-boards">{t('dash.tab.boards')}</span>,
              children: (
                <>
                  {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
                  <Table<Dashboard>
                    rowKey="id"
                    size="small"
                    loading={list.loading}
                    dataSource={list.data ?? []}
                    data-testid="dash-table"
                    onRow={(d) => ({ 'data-testid': `dash-row-${d.id}` }) as HTMLAttributes<HTMLElement>}
                    pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
                    scroll={{ x: 860 }}
                    locale={{
                      emptyText: (
                        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dash.empty')}>
                          <Typography.Paragraph type="secondary">{t('dash.emptyHint')}</Typography.Paragraph>
                          <Link to="/analytics">{t('dash.goAnalytics')}</Link>
                        </Empty>
                      ),
                    }}
                    columns={[
                      {
                        title: t('dash.name'),
                        dataIndex: 'name',
                        render: (name: string, d) => (
                          <div>
                            <Link to={`/monitor/dashboards/${d.id}`} data-testid={`dash-open-${d.id}`}>
                              {name}
                            </Link>
                            {d.description && (
                              <div>
                                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                  {d.description}
                                </Typography.Text>
                              </div>
                            )}
                          </div>
                        ),
                      },
                      { title: t('dash.owner'), dataIndex: 'owner', render: (v: string) => <span className="mf-mono">{v}</span> },
                      {
                        title: t('dash.shared'),
                        dataIndex: 'shared',
                        render: (shared: boolean) => (shared ? <Tag color="blue">{t('dash.sharedYes')}</Tag> : <Tag>{t('dash.sharedNo')}</Tag>),
                      },
                      { title: t('dash.items'), key: 'items', align: 'right', render: (_: unknown, d) => <span className="mf-num">{d.items.length}</span> },
                      { title: t('dash.createdAt'), dataIndex: 'created_at', render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span> },
                      {
                        title: t('common.actions'),
                        key: 'actions',
                        render: (_: unknown, d) =>
                          d.can_edit && (
                            <Space size={0}>
                              <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setEditing(d)} data-testid={`dash-edit-${d.id}`}>
                                {t('dash.rename')}
                              </Button>
                              <Popconfirm title={t('dash.deleteConfirm', { name: d.name })} onConfirm={() => remove(d)} okButtonProps={{ danger: true }}>
                                <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid={`dash-delete-${d.id}`}>
                                  {t('dash.delete')}
                                </Button>
                              </Popconfirm>
                            </Space>
                          ),
                      },
                    ]}
                  />
                </>
              ),
            },
            {
              key: 'saved',
              label: <span data-testid="dash-tab-saved">{t('dash.tab.saved')}</span>,
              children: <SavedAnalysesTable onPinned={list.reload} />,
            },
          ]}
        />
      </Card>
      {editing && (
        <DashboardFormModal
          dashboard={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(d) => {
            setEditing(undefined);
            // A new dashboard opens right away; an edited one stays in the list.
            if (editing === 'new') navigate(`/monitor/dashboards/${d.id}`);
            else list.reload();
          }}
        />
      )}
    </>
  );
}
