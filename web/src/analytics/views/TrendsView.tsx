import { Table } from 'antd';
import type { Granularity, TrendLine, TrendsQuery, TrendsResult } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { CHART_COLORS, EChart, type ChartOption } from '../../common/charts/EChart';
import { incompleteFrom, isAmount, isMoney } from './chartUnits';
import { useI18n } from '../../i18n';
import { attributeLabel } from '../../insight/segments/labels';
import { num, useEventName } from '../common';

export type TrendsChartType = 'line' | 'bar';

function fmtBucket(b: string, g: Granularity): string {
  if (g === 'hour') return b.slice(5, 16).replace('T', ' ');
  if (g === 'month') return b.slice(0, 7);
  return b.slice(0, 10);
}

/** The result of a trends query: one line (or bar) per series × group, previous period dashed; totals below. */
export function TrendsView({
  data,
  query,
  catalogue,
  chartType = 'line',
  compact,
}: {
  data: TrendsResult;
  query: TrendsQuery;
  catalogue?: Catalogue;
  chartType?: TrendsChartType;
  compact?: boolean;
}) {
  const { t, lang } = useI18n();
  const name = useEventName(catalogue);
  const lineName = (l: TrendLine) =>
    `${name(l.event)} · ${t(`an.measure.${l.measure}`)}${l.group !== null ? ` · ${l.group}` : ''}`;
  // Counts and amounts never share an axis (an amount in the millions flattens a count to zero): counts on the
  // left, amounts of a property on the right, each axis named with its unit.
  const propertyOf = (l: TrendLine) => query.series[l.series]?.property ?? null;
  const amountLines = data.lines.filter((l) => isAmount(l.measure));
  const twoAxes = amountLines.length > 0 && amountLines.length < data.lines.length;
  const axisOf = (l: TrendLine) => (twoAxes && isAmount(l.measure) ? 1 : 0);
  const unitOf = (l: TrendLine) => (isAmount(l.measure) ? (isMoney(propertyOf(l)) ? t('monitor3.unit.yuan') : '') : t(`monitor3.unit.${l.measure as 'total' | 'uniques' | 'per_customer'}`));
  const axisName = (lines: TrendLine[]) => [...new Set(lines.map(unitOf).filter(Boolean))].join(' / ');
  const countLines = data.lines.filter((l) => !isAmount(l.measure));
  // The period that has not ended (today) is drawn dashed and named in the tooltip, not read as a plunge.
  const cut = incompleteFrom(data.buckets, query.granularity);
  const solid = (v: number[]) => (cut < 0 ? v : v.map((x, i) => (i < cut ? x : null)));
  const tail = (v: number[]) => v.map((x, i) => (i >= Math.max(0, cut - 1) ? x : null));
  const lineSeries = data.lines.flatMap((l, i): Record<string, unknown>[] => {
    const base = { type: chartType, name: lineName(l), smooth: true, showSymbol: data.buckets.length <= 31, yAxisIndex: axisOf(l), color: CHART_COLORS[i % CHART_COLORS.length] };
    if (cut < 0) return [{ ...base, data: l.values }];
    if (chartType === 'bar') return [{ ...base, data: l.values.map((x, j) => (j >= cut ? { value: x, itemStyle: { opacity: 0.35 } } : x)) }];
    return [{ ...base, data: solid(l.values) }, { ...base, data: tail(l.values), lineStyle: { type: 'dashed' as const } }];
  });
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      formatter: (raw: unknown) => {
        const items = (Array.isArray(raw) ? raw : [raw]) as { seriesName: string; value: unknown; marker: string; dataIndex: number; axisValueLabel: string }[];
        const seen = new Set<string>();
        const rows = items.filter((p) => p.value != null && !seen.has(p.seriesName) && seen.add(p.seriesName));
        const head = items[0] ? items[0].axisValueLabel + (cut >= 0 && items[0].dataIndex >= cut ? ` ${t('monitor3.incomplete')}` : '') : '';
        const value = (p: (typeof rows)[number]) => num(Number(typeof p.value === 'object' && p.value ? (p.value as { value: number }).value : p.value), 2);
        return [head, ...rows.map((p) => `${p.marker}${p.seriesName}: ${value(p)}`)].join('<br/>');
      },
    },
    legend: { top: 0, type: 'scroll', data: data.lines.map(lineName).concat((data.previous ?? []).map((l) => `${lineName(l)} (${t('an.previous')})`)) },
    xAxis: { type: 'category', data: data.buckets.map((b) => fmtBucket(b, query.granularity)), boundaryGap: chartType === 'bar' },
    yAxis: [
      { type: 'value', name: axisName(twoAxes ? countLines : data.lines), nameTextStyle: { align: 'left' }, axisLabel: { formatter: (v: number) => num(v) }, splitLine: { lineStyle: { type: 'dashed' } } },
      ...(twoAxes ? [{ type: 'value' as const, name: axisName(amountLines), nameTextStyle: { align: 'right' as const }, axisLabel: { formatter: (v: number) => num(v) }, splitLine: { show: false } }] : []),
    ],
    series: [
      ...(lineSeries as []),
      ...(data.previous ?? []).map((l) => ({
        type: 'line' as const,
        name: `${lineName(l)} (${t('an.previous')})`,
        data: l.values,
        smooth: true,
        showSymbol: false,
        yAxisIndex: axisOf(l),
        lineStyle: { type: 'dashed' as const, width: 1 },
      })),
    ],
  };
  const previousOf = (l: TrendLine) => data.previous?.find((x) => x.series === l.series && x.group === l.group);
  const group = query.group_by;

  return (
    <>
      <EChart option={option} height={compact ? 260 : 340} testId="trends-chart" />
      {cut >= 0 && (
        <div style={{ fontSize: 12, color: '#6b7280' }} data-testid="trends-incomplete">
          {t('monitor3.incompleteHint')}
        </div>
      )}
      <Table
        style={{ marginTop: 12 }}
        size="small"
        rowKey={(l) => `${l.series}-${l.group ?? ''}`}
        dataSource={data.lines}
        pagination={compact ? { pageSize: 5, hideOnSinglePage: true, size: 'small' } : false}
        columns={[
          { title: t('an.series'), key: 's', render: (_: unknown, l: TrendLine) => lineName(l) },
          { title: t('an.total'), dataIndex: 'total', align: 'right', render: (v: number) => num(v, 2) },
          ...(data.previous
            ? [
                {
                  title: t('an.previousTotal'),
                  key: 'prev',
                  align: 'right' as const,
                  render: (_: unknown, l: TrendLine) => num(previousOf(l)?.total, 2),
                },
                {
                  title: t('an.change'),
                  key: 'chg',
                  align: 'right' as const,
                  render: (_: unknown, l: TrendLine) => {
                    const p = previousOf(l);
                    if (!p || !p.total) return '—';
                    const c = (l.total - p.total) / p.total;
                    return <span style={{ color: c >= 0 ? '#16a34a' : '#dc2626' }}>{`${c >= 0 ? '+' : ''}${(c * 100).toFixed(1)}%`}</span>;
                  },
                },
              ]
            : []),
        ]}
      />
      {group?.kind === 'attribute' && (
        <div style={{ fontSize: 12, color: '#6b7280', marginTop: 8 }}>
          {t('an.groupedBy', { name: attributeLabel(lang, group.name, catalogue) })}
        </div>
      )}
    </>
  );
}
