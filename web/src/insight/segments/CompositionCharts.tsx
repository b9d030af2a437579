import { Col, Empty, Row, Typography } from 'antd';
import type { Composition, CompositionBucket } from '../../api/insight';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { useI18n, type MessageKey } from '../../i18n';
import { genderLabel } from '../customers/labels';

const DIMENSIONS = ['age_band', 'gender', 'province', 'tier', 'risk_level', 'product_type', 'lifecycle'] as const;
const PIE_DIMS = new Set(['gender', 'tier', 'risk_level', 'lifecycle']);

/** Members by age band, gender, province, tier, risk, products held and lifecycle stage. */
export function CompositionCharts({ composition }: { composition: Composition }) {
  const { t, tv, lang } = useI18n();
  const label = (dim: string, value: string) => {
    if (dim === 'gender') return genderLabel(lang, value);
    if (dim === 'product_type') return tv('productType', value);
    if (!value || value === 'None' || value === 'null') return t('seg.comp.unknown');
    return value;
  };
  const dims = [...DIMENSIONS.filter((d) => d in composition.dimensions), ...Object.keys(composition.dimensions).filter((d) => !(DIMENSIONS as readonly string[]).includes(d))];
  if (composition.total === 0) return <Empty description={t('seg.comp.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Row gutter={[16, 16]}>
      {dims.map((dim) => {
        const buckets: CompositionBucket[] = composition.dimensions[dim] ?? [];
        const pie = PIE_DIMS.has(dim) && buckets.length <= 8;
        const top = buckets.slice(0, 12);
        const option: ChartOption = pie
          ? {
              tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
              legend: { bottom: 0, type: 'scroll', icon: 'circle', itemWidth: 8, itemHeight: 8 },
              series: [
                {
                  type: 'pie',
                  radius: ['38%', '62%'],
                  center: ['50%', '42%'],
                  label: { show: false },
                  data: top.map((b) => ({ name: label(dim, b.value), value: b.count })),
                },
              ],
            }
          : {
              grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
              tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
              xAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
              yAxis: { type: 'category', inverse: true, data: top.map((b) => label(dim, b.value)), axisLabel: { interval: 0 } },
              series: [{ type: 'bar', data: top.map((b) => b.count), barMaxWidth: 16, label: { show: true, position: 'right', formatter: (p) => `${((top[p.dataIndex]?.ratio ?? 0) * 100).toFixed(1)}%` } }],
            };
        return (
          <Col key={dim} xs={24} md={12} xl={8}>
            <Typography.Text strong>{t(`seg.comp.${dim}` as MessageKey)}</Typography.Text>
            {buckets.length === 0 ? (
              <div className="mf-chart-empty" style={{ height: 220 }}>
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
              </div>
            ) : (
              <EChart option={option} height={220} testId={`composition-${dim}`} />
            )}
          </Col>
        );
      })}
    </Row>
  );
}
