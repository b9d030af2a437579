import { Card, Empty } from 'antd';
import type { AumPoint } from '../../api/types';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { formatMoney, formatMoneyShort } from '../../common/format';
import { useI18n } from '../../i18n';

export function AumTrendCard({ points }: { points: AumPoint[] }) {
  const { t, lang } = useI18n();
  const sorted = [...points].sort((a, b) => a.date.localeCompare(b.date));

  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => formatMoney(Number(v)),
    },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: sorted.map((p) => p.date),
      axisLabel: { formatter: (v: string) => v.slice(5) },
    },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { formatter: (v: number) => formatMoneyShort(v, lang) },
      splitLine: { lineStyle: { type: 'dashed' } },
    },
    series: [
      {
        name: t('aum.series'),
        type: 'line',
        smooth: true,
        showSymbol: sorted.length <= 31,
        symbolSize: 4,
        data: sorted.map((p) => Math.round(Number(p.aum) * 100) / 100),
        areaStyle: { opacity: 0.08 },
        lineStyle: { width: 2 },
      },
    ],
  };

  return (
    <Card title={t('aum.title')} size="small" className="mf-card" data-testid="customer-aum-trend">
      {sorted.length === 0 ? (
        <div className="mf-chart-empty" style={{ height: 300 }}>
          <Empty description={t('aum.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        </div>
      ) : (
        <EChart option={option} height={300} testId="aum-trend-chart" />
      )}
    </Card>
  );
}
