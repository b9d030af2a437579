import { Table, Typography } from 'antd';
import type { RfmResult, RfmSegment } from '../../api/analytics';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { formatMoney } from '../../common/format';
import { useI18n } from '../../i18n';
import { num, Stat } from '../common';

/** The result of an RFM query: active / inactive customers, customers per class, and the R × F grid. */
export function RfmView({ data, compact }: { data: RfmResult; compact?: boolean }) {
  const { t } = useI18n();
  const bar: ChartOption = {
    grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', name: t('monitor3.unit.customers'), nameLocation: 'middle', nameGap: 24, splitLine: { lineStyle: { type: 'dashed' } } },
    yAxis: { type: 'category', inverse: true, data: data.segments.map((s) => s.label) },
    series: [{ type: 'bar', name: t('an.customersAxis'), data: data.segments.map((s) => s.customers), barMaxWidth: 18, label: { show: true, position: 'right', formatter: (p) => num(Number(p.value)) } }],
  };
  const max = Math.max(1, ...data.grid.flat());
  const heat: ChartOption = {
    tooltip: { position: 'top' },
    grid: { left: 48, right: 32, top: 24, bottom: 32 },
    xAxis: { type: 'category', name: 'F', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
    yAxis: { type: 'category', name: 'R', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
    visualMap: { show: false, min: 0, max, inRange: { color: ['#eff6ff', '#1d4ed8'] } },
    series: [
      {
        type: 'heatmap',
        name: t('an.customersAxis'),
        data: data.grid.flatMap((row, r) => row.map((v, f) => [f, r, v])),
        label: { show: true, formatter: (p) => num(Number((p.value as number[])[2])) },
      },
    ],
  };
  return (
    <>
      <div className="mf-an-stats">
        <Stat label={t('an.rfm.active')} value={num(data.customers)} />
        <Stat label={t('an.rfm.inactive')} value={num(data.inactive)} />
      </div>
      <div className="mf-an-two">
        <div>
          <Typography.Text strong>{t('an.rfm.segments')}</Typography.Text>
          <EChart option={bar} height={compact ? 260 : 300} testId="rfm-chart" />
        </div>
        <div>
          <Typography.Text strong>{t('an.rfm.grid')}</Typography.Text>
          <EChart option={heat} height={compact ? 260 : 300} testId="rfm-grid" />
        </div>
      </div>
      {!compact && (
        <Table<RfmSegment>
          size="small"
          style={{ marginTop: 12 }}
          rowKey="segment"
          dataSource={data.segments}
          pagination={false}
          columns={[
            { title: t('an.rfm.segment'), dataIndex: 'label' },
            { title: t('an.customersAxis'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
            { title: t('an.rfm.recency'), dataIndex: 'avg_recency_days', align: 'right', render: (v: number) => num(v, 1) },
            { title: t('an.rfm.frequency'), dataIndex: 'avg_frequency', align: 'right', render: (v: number) => num(v, 1) },
            { title: t('an.rfm.monetary'), dataIndex: 'avg_monetary', align: 'right', render: (v: number) => formatMoney(v) },
          ]}
        />
      )}
    </>
  );
}
