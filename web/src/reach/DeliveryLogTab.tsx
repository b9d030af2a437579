import { App, Button, Card, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { CHANNEL_KINDS, REACH, type ChannelKind, type Delivery, type DeliveryPage } from '../api/reach';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime, orDash } from '../common/format';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { yuan } from './channelForm';
import { STATUS_COLORS, channelKey } from './labels';

interface Filters {
  customer_id?: string;
  strategy_id?: number;
  campaign_id?: number;
  channel?: ChannelKind;
  status?: string;
}

const STATUSES = ['accepted', 'suppressed', 'unreachable', 'failed', 'not_configured', 'retrying', 'unknown'];

function query(filters: Filters, page: number, size: number): string {
  const params = new URLSearchParams({ limit: String(size), offset: String((page - 1) * size) });
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  return params.toString();
}

/** The delivery log (or the dead letters), scoped to the viewer's customers, addresses masked. */
export function DeliveryLogTab({ dead }: { dead: boolean }) {
  const { t, tv } = useI18n();
  const { message } = App.useApp();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const size = 20;
  const path = dead ? `${REACH}/dead-letters` : `${REACH}/deliveries`;
  const { data, error, loading, reload } = useApi(
    (signal) => api.get<DeliveryPage>(`${path}?${query(dead ? { channel: filters.channel } : filters, page, size)}`, { signal }),
    [path, filters, page],
  );

  const retry = async (row: Delivery) => {
    try {
      const out = await api.post<{ status: string }>(`${REACH}/deliveries/${row.id}/retry`);
      message.success(t('reach.retried', { status: tv('reach.status', out.status) }));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const columns: ColumnsType<Delivery> = [
    { title: t('reach.col.id'), dataIndex: 'id', width: 80 },
    { title: t('reach.col.time'), dataIndex: 'created_at', width: 170, render: (v: string) => formatDateTime(v) },
    { title: t('reach.col.customer'), dataIndex: 'customer_id', width: 120 },
    { title: t('reach.col.channel'), dataIndex: 'channel', width: 130, render: (c: ChannelKind) => t(channelKey(c)) },
    { title: t('reach.col.address'), dataIndex: 'address_masked', width: 140, render: (v: string | null) => orDash(v) },
    {
      title: t('reach.col.status'),
      dataIndex: 'status',
      width: 120,
      render: (s: string) => <Tag color={STATUS_COLORS[s] ?? 'default'}>{tv('reach.status', s)}</Tag>,
    },
    { title: t('reach.col.reason'), dataIndex: 'reason', width: 180, render: (r: string | null) => (r ? tv('reach.reason', r) : '—') },
    { title: t('reach.col.receipt'), dataIndex: 'receipt', width: 100, render: (r: string | null) => (r ? tv('reach.receipt', r) : '—') },
    { title: t('reach.col.strategy'), dataIndex: 'strategy_id', width: 80, render: (v: number | null) => orDash(v) },
    { title: t('reach.col.campaign'), dataIndex: 'campaign_id', width: 80, render: (v: number | null) => orDash(v) },
    { title: t('reach.col.tries'), dataIndex: 'attempts', width: 80 },
    { title: t('reach.col.totalCost'), dataIndex: 'cost_fen', width: 90, render: (v: number) => yuan(v) },
  ];
  if (dead) {
    columns.push({
      title: t('reach.col.actions'),
      key: 'actions',
      width: 90,
      render: (_, row) => (
        <Button size="small" onClick={() => retry(row)} data-testid={`reach-retry-${row.id}`}>
          {t('reach.retry')}
        </Button>
      ),
    });
  }

  return (
    <Card variant="borderless" className="mf-card">
      <Form<Filters>
        layout="inline"
        style={{ marginBottom: 12 }}
        onFinish={(v) => {
          setFilters(v);
          setPage(1);
        }}
      >
        {!dead && (
          <>
            <Form.Item name="customer_id">
              <Input placeholder={t('reach.filter.customer')} allowClear maxLength={64} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="strategy_id">
              <InputNumber placeholder={t('reach.filter.strategy')} min={1} style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="campaign_id">
              <InputNumber placeholder={t('reach.filter.campaign')} min={1} style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="status">
              <Select
                allowClear
                placeholder={t('reach.filter.status')}
                style={{ width: 140 }}
                options={STATUSES.map((s) => ({ value: s, label: tv('reach.status', s) }))}
              />
            </Form.Item>
          </>
        )}
        <Form.Item name="channel">
          <Select
            allowClear
            placeholder={t('reach.filter.channel')}
            style={{ width: 140 }}
            options={CHANNEL_KINDS.map((c) => ({ value: c, label: t(channelKey(c)) }))}
          />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('reach.filter.search')}
          </Button>
        </Space>
      </Form>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<Delivery>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        scroll={{ x: 1500 }}
        locale={{ emptyText: t('reach.empty') }}
        pagination={{ current: page, pageSize: size, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        data-testid={dead ? 'reach-dead' : 'reach-log'}
      />
    </Card>
  );
}
