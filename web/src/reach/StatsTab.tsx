import { Card, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { api } from '../api/client';
import { REACH, type ChannelDay, type ChannelKind } from '../api/reach';
import { ErrorAlert } from '../common/ErrorAlert';
import { useApi } from '../common/useApi';
import { useT } from '../i18n';
import { percent, yuan } from './channelForm';
import { channelKey } from './labels';

const DAYS = 30;

/** Per channel and day: volume, accepted, delivery and click rates, cost (customers in the viewer's scope). */
export function StatsTab() {
  const t = useT();
  const { data, error, loading, reload } = useApi(
    (signal) => api.get<ChannelDay[]>(`${REACH}/stats/daily?days=${DAYS}`, { signal }),
    [],
  );
  const columns: ColumnsType<ChannelDay> = [
    { title: t('reach.col.day'), dataIndex: 'day', width: 120 },
    { title: t('reach.col.channel'), dataIndex: 'channel', width: 120, render: (c: ChannelKind) => t(channelKey(c)) },
    { title: t('reach.col.sent'), dataIndex: 'sent', align: 'right' },
    { title: t('reach.col.accepted'), dataIndex: 'accepted', align: 'right' },
    { title: t('reach.col.suppressed'), dataIndex: 'suppressed', align: 'right' },
    { title: t('reach.col.unreachable'), dataIndex: 'unreachable', align: 'right' },
    { title: t('reach.col.failed'), dataIndex: 'failed', align: 'right' },
    { title: t('reach.col.deliveryRate'), dataIndex: 'delivery_rate', align: 'right', render: (v: number | null) => percent(v) },
    { title: t('reach.col.clickRate'), dataIndex: 'click_rate', align: 'right', render: (v: number | null) => percent(v) },
    { title: t('reach.col.totalCost'), dataIndex: 'cost_fen', align: 'right', render: (v: number) => yuan(v) },
  ];
  return (
    <Card variant="borderless" className="mf-card" title={t('reach.stats.days', { n: DAYS })}>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<ChannelDay>
        rowKey={(r) => `${r.day}:${r.channel}`}
        size="small"
        columns={columns}
        dataSource={data ?? []}
        loading={loading}
        pagination={false}
        locale={{ emptyText: t('reach.empty') }}
        data-testid="reach-stats"
      />
    </Card>
  );
}
