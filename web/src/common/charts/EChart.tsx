import ReactEChartsCore from 'echarts-for-react/esm/core';
import {
  BarChart,
  FunnelChart,
  HeatmapChart,
  LineChart,
  PieChart,
  SankeyChart,
  type BarSeriesOption,
  type FunnelSeriesOption,
  type HeatmapSeriesOption,
  type LineSeriesOption,
  type PieSeriesOption,
  type SankeySeriesOption,
} from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { CSSProperties } from 'react';

// Register only what the console draws; keeps the chart chunk small.
echarts.use([
  LineChart,
  PieChart,
  BarChart,
  FunnelChart,
  SankeyChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.ComposeOption<
  | LineSeriesOption
  | PieSeriesOption
  | BarSeriesOption
  | FunnelSeriesOption
  | SankeySeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

export const CHART_COLORS = ['#1d4ed8', '#0ea5e9', '#14b8a6', '#f59e0b', '#8b5cf6', '#ef4444', '#64748b', '#84cc16'];

export function EChart({
  option,
  height = 260,
  style,
  testId,
}: {
  option: ChartOption;
  height?: number;
  style?: CSSProperties;
  testId?: string;
}) {
  return (
    <div data-testid={testId}>
      <ReactEChartsCore
        echarts={echarts}
        option={{ color: CHART_COLORS, ...option }}
        notMerge
        style={{ height, width: '100%', ...style }}
      />
    </div>
  );
}
