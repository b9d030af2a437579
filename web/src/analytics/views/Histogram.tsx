import type { HistogramBucket } from '../../api/analytics';
import { EChart, type ChartOption } from '../../common/charts/EChart';

/** Customers (or pairs) per bucket as bars; shared by the distribution and interval views. */
export function Histogram({
  buckets,
  testId,
  label,
  axis,
  height = 300,
}: {
  buckets: HistogramBucket[];
  testId: string;
  label: (b: HistogramBucket) => string;
  axis: string;
  height?: number;
}) {
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: buckets.map(label), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', name: axis, splitLine: { lineStyle: { type: 'dashed' } } },
    series: [{ type: 'bar', name: axis, data: buckets.map((b) => b.customers), barCategoryGap: '8%' }],
  };
  return <EChart option={option} height={height} testId={testId} />;
}
