import { Table } from 'antd';
import type { Granularity, TrendLine, TrendsQuery, TrendsResult } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { EChart, type ChartOption } from '../../common/charts/EChart';
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
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'category', data: data.buckets.map((b) => fmtBucket(b, query.granularity)), boundaryGap: chartType === 'bar' },
    yAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
    series: [
      ...data.lines.map((l) => ({ type: chartType, name: lineName(l), data: l.values, smooth: true, showSymbol: data.buckets.length <= 31 })),
      ...(data.previous ?? []).map((l) => ({
        type: 'line' as const,
        name: `${lineName(l)} (${t('an.previous')})`,
        data: l.values,
        smooth: true,
        showSymbol: false,
        lineStyle: { type: 'dashed' as const, width: 1 },
      })),
    ],
  };
  const previousOf = (l: TrendLine) => data.previous?.find((x) => x.series === l.series && x.group === l.group);
  const group = query.group_by;

  return (
    <>
      <EChart option={option} height={compact ? 260 : 340} testId="trends-chart" />
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
