import { Table, Typography } from 'antd';
import type { AttributionResult, AttributionRow } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { useI18n } from '../../i18n';
import { num, useEventName } from '../common';

export const ATTRIBUTION_MODELS = ['first', 'last', 'linear', 'position', 'time_decay'] as const;

/** The result of an attribution query: conversions, credit per touch under each model as bars, and the table. */
export function AttributionView({ data, catalogue, compact }: { data: AttributionResult; catalogue?: Catalogue; compact?: boolean }) {
  const { t } = useI18n();
  const name = useEventName(catalogue);
  const rowName = (r: AttributionRow) => `${name(r.touch)}${r.value ? ` · ${r.value}` : ''}`;
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 52, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    xAxis: { type: 'category', data: data.rows.map(rowName) },
    yAxis: { type: 'value', name: t('monitor3.unit.conversions'), nameTextStyle: { align: 'left' }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: ATTRIBUTION_MODELS.map((m) => ({
      type: 'bar' as const,
      name: t(`an.attr.${m}`),
      data: data.rows.map((r) => Math.round(r[m] * 100) / 100),
      barMaxWidth: 18,
    })),
  };
  return (
    <>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="attribution-summary">
        {t('an.attr.summary', { c: num(data.conversions), a: num(data.attributed) })}
      </Typography.Paragraph>
      <EChart option={option} height={compact ? 260 : 320} testId="attribution-chart" />
      {!compact && (
        <Table<AttributionRow>
          style={{ marginTop: 12 }}
          size="small"
          rowKey={(r) => `${r.touch}-${r.value ?? ''}`}
          dataSource={data.rows}
          pagination={false}
          columns={[
            { title: t('an.attr.touch'), key: 'touch', render: (_: unknown, r) => rowName(r) },
            { title: t('an.attr.touched'), dataIndex: 'touched_conversions', align: 'right', render: (v: number) => num(v) },
            ...ATTRIBUTION_MODELS.map((m) => ({ title: t(`an.attr.${m}`), dataIndex: m, align: 'right' as const, render: (v: number) => num(v, 2) })),
          ]}
        />
      )}
    </>
  );
}
