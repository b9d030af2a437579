import { Table } from 'antd';
import type { CSSProperties } from 'react';
import type { Cohort, RetentionQuery, RetentionResult } from '../../api/analytics';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { useI18n } from '../../i18n';
import { num, pct } from '../common';
import { percentDecimals, percentText } from './chartUnits';

/** Background of a retention cell: deeper blue for higher rates. */
function heat(rate: number | null): CSSProperties {
  if (rate == null) return {};
  const a = Math.min(1, Math.max(0.06, rate));
  return { background: `rgba(29, 78, 216, ${a * 0.85})`, color: a > 0.45 ? '#fff' : '#111827' };
}

/** The result of a retention query: the average curve and the cohort heat table (the table only in full size). */
export function RetentionView({ data, query, compact }: { data: RetentionResult; query: RetentionQuery; compact?: boolean }) {
  const { t } = useI18n();
  const n = data.periods + 1;
  const unit = t(`an.gran.${query.period}`);
  const label = (i: number) => (i === 0 ? t('an.ret.same', { unit }) : t('an.ret.after', { n: i, unit }));
  // Small rates (a 7-day login retention of 0.4%..1.2%) need decimals, or the axis reads "1%, 1%, 0%".
  const decimals = percentDecimals(data.average);
  const sizes = data.cohorts.reduce((s, c) => s + c.size, 0);
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => percentText(Number(v), Math.max(1, decimals)) },
    xAxis: { type: 'category', data: Array.from({ length: n }, (_, i) => label(i)) },
    yAxis: {
      type: 'value',
      name: t('monitor3.unit.retention'),
      nameTextStyle: { align: 'left' },
      axisLabel: { formatter: (v: number) => percentText(v, decimals) },
      splitLine: { lineStyle: { type: 'dashed' } },
    },
    series: [{ type: 'line', name: t('an.ret.average'), data: data.average.map((x) => x ?? null), smooth: true }],
  };
  return (
    <>
      <EChart option={option} height={220} testId="retention-chart" />
      {!compact && (
        <Table<Cohort>
          style={{ marginTop: 12 }}
          size="small"
          rowKey={(c) => `${c.cohort}-${c.group ?? ''}`}
          dataSource={data.cohorts}
          pagination={false}
          scroll={{ x: 200 + n * 80 }}
          className="mf-heat-table"
          data-testid="retention-table"
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>{t('an.ret.average')}</Table.Summary.Cell>
              {/* The average cohort size (rates are averages too); the total is in the tooltip. */}
              <Table.Summary.Cell index={1} align="right">
                <span title={t('monitor3.ret.sizeTotal', { n: sizes })} data-testid="retention-average-size">
                  {num(data.cohorts.length ? Math.round(sizes / data.cohorts.length) : 0)}
                </span>
              </Table.Summary.Cell>
              {data.average.map((r, i) => (
                <Table.Summary.Cell key={i} index={i + 2} align="right">
                  <strong>{pct(r)}</strong>
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          )}
          columns={[
            { title: t('an.ret.cohort'), dataIndex: 'cohort', fixed: 'left', width: 110, render: (c: string) => c.slice(0, 10) },
            { title: t('an.ret.size'), dataIndex: 'size', align: 'right', width: 80, render: (v: number) => num(v) },
            ...Array.from({ length: n }, (_, i) => ({
              title: label(i),
              key: `p${i}`,
              align: 'right' as const,
              width: 80,
              onCell: (c: Cohort) => ({ style: heat(c.rates[i] ?? null) }),
              render: (_: unknown, c: Cohort) => (c.rates[i] == null ? '' : pct(c.rates[i])),
            })),
          ]}
        />
      )}
    </>
  );
}
