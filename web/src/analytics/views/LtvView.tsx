import { Table, Typography } from 'antd';
import type { LtvQuery, LtvResult } from '../../api/analytics';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { formatMoney, formatMoneyShort } from '../../common/format';
import { useI18n } from '../../i18n';
import { num } from '../common';

/** The result of an LTV query: cumulative value per opening-month cohort (the latest 12 drawn) and the table. */
export function LtvView({ data, query, compact }: { data: LtvResult; query: LtvQuery; compact?: boolean }) {
  const { t, lang } = useI18n();
  const n = query.months + 1;
  // Cohorts opened before the first AUM snapshot have no observed value: no empty lines in the chart for them.
  const observed = data.cohorts.filter((c) => c.values.some((v) => v != null));
  const cohorts = observed.slice(-12);
  const cohortName = (c: string) => c.slice(0, 7);
  const month = (i: number) => t('an.ltv.month', { n: i });
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 52, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : formatMoney(Number(v))) },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'category', data: Array.from({ length: n }, (_, i) => month(i)) },
    yAxis: { type: 'value', name: t('monitor3.ltvUnit'), nameTextStyle: { align: 'left' }, axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: cohorts.map((c) => ({ type: 'line' as const, name: cohortName(c.cohort), data: c.values, smooth: true, connectNulls: false })),
  };
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('an.ltv.hint')}
        {observed.length < data.cohorts.length && t('walk.ltvUnobserved')}
      </Typography.Paragraph>
      <EChart option={option} height={compact ? 280 : 340} testId="ltv-chart" />
      {!compact && (
        <Table
          size="small"
          style={{ marginTop: 12 }}
          rowKey="cohort"
          dataSource={data.cohorts}
          pagination={false}
          scroll={{ x: 200 + n * 100 }}
          columns={[
            { title: t('an.ret.cohort'), dataIndex: 'cohort', fixed: 'left', width: 100, render: cohortName },
            { title: t('an.customersAxis'), dataIndex: 'customers', align: 'right', width: 80, render: (v: number) => num(v) },
            ...Array.from({ length: n }, (_, i) => ({
              title: month(i),
              key: `m${i}`,
              align: 'right' as const,
              width: 100,
              // Per-customer values are small: yuan with cents and the ¥ sign, so the unit is never in doubt.
              render: (_: unknown, c: { values: (number | null)[] }) => (c.values[i] == null ? '' : formatMoney(c.values[i]!)),
            })),
          ]}
        />
      )}
    </>
  );
}
