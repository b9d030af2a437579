import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, type ButtonProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { orgsApi } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import { PERM_STRATEGY_PUBLISH, strategyApi, type Lifecycle, type StrategyRead, type StrategyStatus } from '../api/strategy';
import { useAuth } from '../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../auth/me';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { tk } from './labels';

export const STATUS_COLORS: Record<StrategyStatus, string> = {
  draft: 'default',
  published: 'green',
  paused: 'orange',
  stopped: 'red',
  archived: 'default',
};

/** The lifecycle actions a strategy in a status offers. */
export function actionsFor(status: StrategyStatus): Lifecycle[] {
  switch (status) {
    case 'published':
      return ['pause', 'stop'];
    case 'paused':
      return ['resume', 'stop'];
    case 'draft':
    case 'stopped':
      return ['archive'];
    default:
      return [];
  }
}

function TodayCell({ id, version }: { id: number; version: number | null }) {
  const { data } = useApi((signal) => (version ? strategyApi.stats(id, version, signal) : Promise.resolve(null)), [id, version]);
  const totals = (data as { today?: { entered: number; converted: number } } | null | undefined)?.today ?? data?.totals;
  const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));
  return (
    <span className="mf-num" data-testid={`strategy-today-${id}`}>
      {fmt(totals?.entered)} / {fmt(totals?.converted)}
    </span>
  );
}

export default function StrategyListPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ name: string; description?: string }>();
  const { data, error, loading, reload } = useApi((signal) => strategyApi.list(signal), []);
  const orgs = useApi((signal) => orgsApi.list(signal), []);
  const orgName = (code: string) => orgs.data?.items.find((o) => o.code === code)?.name ?? code;

  const create = async () => {
    const values = await form.validateFields();
    try {
      const made = await strategyApi.create({ name: values.name, description: values.description ?? '' });
      setCreating(false);
      navigate(`/strategy/${made.id}`);
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const act = async (s: StrategyRead, action: Lifecycle) => {
    try {
      await strategyApi.lifecycle(s.id, action);
      message.success(tk(t, `strategy.done.${action}`));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const columns: ColumnsType<StrategyRead> = [
    {
      title: t('strategy.col.name'),
      dataIndex: 'name',
      ellipsis: true,
      render: (name: string, s) => (
        <Link to={`/strategy/${s.id}`} data-testid={`strategy-link-${s.id}`}>
          {name}
        </Link>
      ),
    },
    {
      title: t('strategy.col.status'),
      dataIndex: 'status',
      width: 110,
      render: (st: StrategyStatus, s) => (
        <Space size={4}>
          <Tag color={STATUS_COLORS[st]} data-testid={`strategy-status-${s.id}`}>
            {tk(t, `strategy.status.${st}`)}
          </Tag>
        </Space>
      ),
    },
    { title: t('strategy.col.owner'), dataIndex: 'owner_org', width: 140, render: (c: string) => orgName(c) },
    {
      title: t('strategy.col.version'),
      key: 'version',
      width: 150,
      render: (_: unknown, s) =>
        s.published_version
          ? tk(t, s.has_draft ? 'strategy.version.publishedDraft' : 'strategy.version.published', { v: s.published_version, d: s.current_version })
          : tk(t, 'strategy.version.draft', { d: s.current_version }),
    },
    {
      title: t('strategy.col.today'),
      key: 'today',
      width: 130,
      align: 'right',
      render: (_: unknown, s) => <TodayCell id={s.id} version={s.published_version} />,
    },
    { title: t('strategy.col.updated'), dataIndex: 'updated_at', width: 160, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 230,
      render: (_: unknown, s) => (
        <Space size={4} wrap>
          <Link to={`/strategy/${s.id}`}>{t(s.status === 'archived' || s.status === 'stopped' ? 'strategy.view' : 'strategy.edit')}</Link>
          {s.published_version && <Link to={`/strategy/${s.id}/monitor`}>{t('strategy.monitor')}</Link>}
          {s.published_version && <Link to={`/strategy/${s.id}/experiments`} data-testid={`strategy-experiments-${s.id}`}>{t('xr.open')}</Link>}
          {s.published_version && <Link to={`/strategy/${s.id}/effects`}>{t('effects.link')}</Link>}
          {can(PERM_STRATEGY_PUBLISH) &&
            actionsFor(s.status).map((a) => (
              <Popconfirm key={a} title={tk(t, `strategy.confirm.${a}`)} onConfirm={() => act(s, a)}>
                <Button size="small" type="link" danger={a === 'stop'} data-testid={`strategy-${a}-${s.id}`}>
                  {tk(t, `strategy.action.${a}`)}
                </Button>
              </Popconfirm>
            ))}
        </Space>
      ),
    },
  ];

  return (
    <div>
      <PageHeader
        title={t('strategy.title')}
        subtitle={t('strategy.subtitle')}
        extra={
          can(PERM_CAMPAIGN_EDIT) && (
            <Button type="primary" icon={<PlusOutlined />} data-testid="strategy-new" onClick={() => { form.resetFields(); setCreating(true); }}>
              {t('strategy.new')}
            </Button>
          )
        }
      />
      {error ? <ErrorAlert error={error} onRetry={reload} /> : null}
      <Card>
        <Table rowKey="id" loading={loading} columns={columns} dataSource={data ?? []} pagination={{ pageSize: 20 }}
          locale={{ emptyText: t('strategy.none') }} data-testid="strategy-table" />
      </Card>
      <Modal open={creating} title={t('strategy.new')} onOk={create} onCancel={() => setCreating(false)}
        okText={t('strategy.createAndEdit')} okButtonProps={{ 'data-testid': 'strategy-create' } as ButtonProps} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('strategy.col.name')} rules={[{ required: true, message: t('strategy.nameRequired') }]}>
            <Input data-testid="strategy-name" maxLength={128} />
          </Form.Item>
          <Form.Item name="description" label={t('strategy.description')}>
            <Input.TextArea maxLength={2000} rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
