import { Card, DatePicker, Select, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { analyticsApi, type MauAumRow } from '../api/analytics';
import { orgsApi } from '../api/endpoints';
import { useAuth } from '../auth/context';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { formatMoney, formatMoneyShort, orDash } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { csvName, Field, num, pct, QueryCard, ResultCard, RunButton, useRun } from '../analytics/common';

/** 运营监控 · MAU/AUM dual-track dashboard: per month and child org, traffic next to assets. */
export default function MauAumPage() {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const orgs = useApi((signal) => orgsApi.list(signal).catch(() => ({ items: [] })), []);
  const [months, setMonths] = useState<[string, string]>(() => [
    dayjs().subtract(5, 'month').startOf('month').format('YYYY-MM-DD'),
    dayjs().startOf('month').format('YYYY-MM-DD'),
  ]);
  const [parent, setParent] = useState<string>(() => me?.orgCode ?? 'HQ');
  const result = useRun(analyticsApi.mauAum);
  const data = result.data;
  const run = () => result.run({ month_from: months[0], month_to: months[1], parent_org: parent });
  const parents = useMemo(
    () => (orgs.data?.items ?? []).filter((o) => (orgs.data?.items ?? []).some((c) => c.parent_code === o.code)),
    [orgs.data],
  );
  const totals = data?.totals ?? [];
  const option: ChartOption | undefined = data && {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: totals.map((r) => r.month) },
    yAxis: [
      { type: 'value', name: 'MAU', splitLine: { lineStyle: { type: 'dashed' } } },
      { type: 'value', name: 'AUM', axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) }, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: 'MAU', data: totals.map((r) => r.mau), barMaxWidth: 36 },
      // A month without snapshots is null: ECharts leaves a gap there (connectNulls is off), never a drop to 0.
      { type: 'line', name: 'AUM', yAxisIndex: 1, data: totals.map((r) => r.aum), smooth: true, connectNulls: false },
      { type: 'line', name: t('mon.netInflow'), yAxisIndex: 1, data: totals.map((r) => r.net_inflow), smooth: true, lineStyle: { type: 'dashed' } },
    ],
  };
  const csv = () => ({
    name: csvName('mau_aum', [months[0].slice(0, 7), months[1].slice(0, 7)]),
    header: [t('mon.month'), t('mon.org'), t('mon.customers'), 'MAU', t('mon.activeRate'), 'AUM', t('mon.netInflow')],
    rows: [...data!.rows, ...data!.totals].map((r) => [r.month, r.org_code === '*' ? t('mon.total') : `${r.org_name ?? ''} ${r.org_code}`, r.customers, r.mau, r.active_rate, r.aum, r.net_inflow]),
  });
  return (
    <>
      <PageHeader title={t('mon.title')} subtitle={t('mon.subtitle')} />
      <QueryCard actions={<RunButton onClick={run} loading={result.loading} testId="mau-run" />}>
        <Field label={t('mon.months')}>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={[dayjs(months[0]), dayjs(months[1])]}
            onChange={(r) => r && r[0] && r[1] && setMonths([r[0].startOf('month').format('YYYY-MM-DD'), r[1].startOf('month').format('YYYY-MM-DD')])}
          />
        </Field>
        <Field label={t('mon.parent')}>
          <Select
            value={parent}
            onChange={setParent}
            style={{ width: 200 }}
            showSearch
            optionFilterProp="label"
            options={(parents.length ? parents : [{ code: parent, name: parent }]).map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }))}
          />
        </Field>
      </QueryCard>
      <ResultCard title={t('mon.trend')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {option && <EChart option={option} height={320} testId="mau-aum-chart" />}
      </ResultCard>
      {data && (
        <Card size="small" className="mf-card" title={t('mon.byOrg')}>
          <Table<MauAumRow>
            size="small"
            rowKey={(r) => `${r.month}-${r.org_code}`}
            dataSource={[...data.rows].sort((a, b) => b.month.localeCompare(a.month) || a.org_code.localeCompare(b.org_code))}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            data-testid="mau-aum-table"
            columns={[
              { title: t('mon.month'), dataIndex: 'month', width: 90 },
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
              { title: 'MAU', dataIndex: 'mau', align: 'right', render: (v: number) => num(v) },
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
                render: (v: number) => <span className="mf-num" style={{ color: v < 0 ? '#dc2626' : undefined }}>{formatMoney(v, 0)}</span>,
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}
