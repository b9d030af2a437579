import { Table } from 'antd';
import type { PropertiesResult, PropertyCell } from '../../api/analytics';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { formatMoney, formatMoneyShort } from '../../common/format';
import { useI18n } from '../../i18n';
import { num, pct, Stat } from '../common';

/** The result of a properties query: customers and AUM per attribute / tag value (or pair of values). */
export function PropertiesView({ data, compact }: { data: PropertiesResult; compact?: boolean }) {
  const { t, lang } = useI18n();
  const cellName = (c: PropertyCell) => c.values.map((v) => v ?? t('seg.comp.unknown')).join(' / ');
  const top = data.cells.slice(0, compact ? 15 : 30);
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    xAxis: { type: 'category', data: top.map(cellName), axisLabel: { interval: 0, rotate: top.length > 8 ? 30 : 0 } },
    yAxis: [
      { type: 'value', name: t('an.customersAxis'), splitLine: { lineStyle: { type: 'dashed' } } },
      { type: 'value', name: 'AUM', axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) }, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: t('an.customersAxis'), data: top.map((c) => c.customers), barMaxWidth: 32 },
      { type: 'line', name: 'AUM', yAxisIndex: 1, data: top.map((c) => Math.round(c.aum)) },
    ],
  };
  return (
    <>
      <div className="mf-an-stats">
        <Stat label={t('an.customersAxis')} value={num(data.customers)} />
      </div>
      <EChart option={option} height={compact ? 260 : 320} testId="properties-chart" />
      {!compact && (
        <Table<PropertyCell>
          size="small"
          style={{ marginTop: 12 }}
          rowKey={(c) => c.values.join('\u0001')}
          dataSource={data.cells}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t('an.prop.value'), key: 'v', render: (_: unknown, c) => cellName(c) },
            { title: t('an.customersAxis'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
            { title: t('an.prop.share'), dataIndex: 'share', align: 'right', render: (v: number) => pct(v) },
            { title: 'AUM', dataIndex: 'aum', align: 'right', render: (v: number) => formatMoney(v, 0) },
          ]}
        />
      )}
    </>
  );
}
