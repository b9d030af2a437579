/** A metric opened from the library: its value day by day over 30 business days, as its alert rules see it. */
import { Drawer, Spin, Typography } from 'antd';
import type { MetricRead } from '../../api/monitor';
import { monitorApi } from '../../api/monitor';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { num } from '../../analytics/common';

export function MetricTrendDrawer({ metric, day, onClose }: { metric: MetricRead; day: string; onClose: () => void }) {
  const { t } = useI18n();
  const trend = useApi((signal) => monitorApi.metricTrend(metric.id, day, signal), [metric.id, day]);
  const points = trend.data?.points ?? [];
  const option: ChartOption = {
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => num(Number(v)) },
    xAxis: { type: 'category', data: points.map((p) => p.day.slice(5)) },
    yAxis: { type: 'value', name: t('monitor3.trendValue'), axisLabel: { formatter: (v: number) => num(v) }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: [{ type: 'line', name: metric.name, data: points.map((p) => p.value), smooth: true, showSymbol: points.length <= 31 }],
  };
  return (
    <Drawer open width={720} title={t('monitor3.trendTitle', { name: metric.name })} onClose={onClose} destroyOnHidden data-testid="metric-trend-drawer">
      <Typography.Paragraph type="secondary">{t('monitor3.trendHint', { days: metric.definition.days, day })}</Typography.Paragraph>
      {trend.error !== undefined ? (
        <ErrorAlert error={trend.error} onRetry={trend.reload} />
      ) : (
        <Spin spinning={trend.loading}>
          <div data-points={points.length} data-testid="metric-trend">
            <EChart option={option} height={320} testId="metric-trend-chart" />
          </div>
        </Spin>
      )}
    </Drawer>
  );
}
