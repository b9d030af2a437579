import { Alert, Card, Table, Tag, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { MauAumResult, MauAumRow } from '../../api/analytics';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { formatMoney, formatMoneyShort, orDash } from '../../common/format';
import { useI18n } from '../../i18n';
import { partialText } from '../../monitor/mauAumPartial';
import { num, pct } from '../common';

/** A cell of a month without data: a grey dash explaining why, instead of a 0 the bank does not have. */
function noData(v: number | null, why: string, shown: ReactNode): ReactNode {
  return v === null ? (
    <Typography.Text type="secondary" title={why}>
      {orDash(null)}
    </Typography.Text>
  ) : (
    shown
  );
}

/** The MAU/AUM dual track per month (chart) and per child org (table; not in `compact` widgets). */
export function MauAumView({ data, compact }: { data: MauAumResult; compact?: boolean }) {
  const { t, lang } = useI18n();
  const totals = data.totals;
  const partial = new Map((data.months ?? []).map((m) => [m.month, partialText(m, t)] as const));
  const partials = [...partial.entries()].filter((e): e is [string, string] => e[1] !== null);
  const option: ChartOption = {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    // A partly covered month is labelled as such under its name: its bars are not comparable with full months.
    xAxis: {
      type: 'category',
      data: totals.map((r) => r.month),
      axisLabel: { formatter: (v: string) => (partial.get(v) ? `${v}\n(${t('admin2.mon.partial')})` : v) },
    },
    yAxis: [
      { type: 'value', name: 'MAU', splitLine: { lineStyle: { type: 'dashed' } } },
      { type: 'value', name: 'AUM', axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) }, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: 'MAU', data: totals.map((r) => r.mau), barMaxWidth: 36 },
      // A month without data is null: ECharts leaves a gap there (connectNulls is off), never a drop to 0.
      { type: 'line', name: 'AUM', yAxisIndex: 1, data: totals.map((r) => r.aum), smooth: true, connectNulls: false },
      { type: 'line', name: t('mon.netInflow'), yAxisIndex: 1, data: totals.map((r) => r.net_inflow), smooth: true, lineStyle: { type: 'dashed' } },
    ],
  };
  return (
    <>
      {partials.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="mau-partial-note"
          title={t('admin2.mon.partialNote')}
          description={partials.map(([month, text]) => <div key={month}>{month} · {text}</div>)}
        />
      )}
      <EChart option={option} height={compact ? 240 : 320} testId="mau-aum-chart" />
      {!compact && (
        <Card size="small" className="mf-card" title={t('mon.byOrg')} style={{ marginTop: 12 }}>
          <Table<MauAumRow>
            size="small"
            rowKey={(r) => `${r.month}-${r.org_code}`}
            dataSource={[...data.rows].sort((a, b) => b.month.localeCompare(a.month) || a.org_code.localeCompare(b.org_code))}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            data-testid="mau-aum-table"
            columns={[
              {
                title: t('mon.month'),
                dataIndex: 'month',
                width: 150,
                render: (v: string) => (
                  <span>
                    {v}
                    {partial.get(v) && (
                      <Tooltip title={partial.get(v)}>
                        <Tag color="warning" style={{ marginInlineStart: 6 }} data-testid={`mau-partial-${v}`}>
                          {t('admin2.mon.partial')}
                        </Tag>
                      </Tooltip>
                    )}
                  </span>
                ),
              },
              {
                title: t('mon.org'),
                key: 'org',
                render: (_: unknown, r) => (
                  <span>
                    {r.org_name ?? r.org_code} <Typography.Text type="secondary" className="mf-mono">({r.org_code})</Typography.Text>
                  </span>
                ),
              },
              { title: t('mon.customers'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
              { title: 'MAU', dataIndex: 'mau', align: 'right', render: (v: number | null) => noData(v, t('walk.noData'), num(v)) },
              { title: t('mon.activeRate'), dataIndex: 'active_rate', align: 'right', render: (v: number | null) => pct(v) },
              {
                title: 'AUM',
                dataIndex: 'aum',
                align: 'right',
                render: (v: number | null) =>
                  v === null ? (
                    <Typography.Text type="secondary" title={t('mon.noAumData')}>
                      {orDash(null)}
                    </Typography.Text>
                  ) : (
                    <span className="mf-num">{formatMoney(v, 0)}</span>
                  ),
              },
              {
                title: t('mon.netInflow'),
                dataIndex: 'net_inflow',
                align: 'right',
                render: (v: number | null) =>
                  noData(v, t('walk.noData'), <span className="mf-num" style={{ color: v !== null && v < 0 ? '#dc2626' : undefined }}>{formatMoney(v, 0)}</span>),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
