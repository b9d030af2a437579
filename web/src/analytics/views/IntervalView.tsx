import { Table } from 'antd';
import type { HistogramBucket, IntervalResult } from '../../api/analytics';
import { useI18n } from '../../i18n';
import { formatSeconds, num, Stat } from '../common';
import { Histogram } from './Histogram';

/** The result of an interval query: pair and customer counts, mean / median / P90 durations, and the histogram. */
export function IntervalView({ data, compact }: { data: IntervalResult; compact?: boolean }) {
  const { t, lang } = useI18n();
  const bucketLabel = (b: HistogramBucket) =>
    b.lower == null
      ? `< ${formatSeconds(b.upper, lang)}`
      : b.upper == null
        ? `≥ ${formatSeconds(b.lower, lang)}`
        : `${formatSeconds(b.lower, lang)} – ${formatSeconds(b.upper, lang)}`;
  return (
    <>
      <div className="mf-an-stats">
        <Stat label={t('an.int.pairs')} value={num(data.pairs)} />
        <Stat label={t('an.dist.customers')} value={num(data.customers)} />
        <Stat label={t('an.mean')} value={formatSeconds(data.mean_seconds, lang)} />
        <Stat label={t('an.median')} value={formatSeconds(data.median_seconds, lang)} />
        <Stat label="P90" value={formatSeconds(data.p90_seconds, lang)} />
      </div>
      <Histogram buckets={data.buckets} testId="interval-chart" label={bucketLabel} axis={t('an.int.pairs')} height={compact ? 240 : 300} />
      {!compact && (
        <Table
          size="small"
          style={{ marginTop: 12 }}
          rowKey="label"
          pagination={false}
          dataSource={data.buckets}
          columns={[
            { title: t('an.bucket'), key: 'b', render: (_: unknown, b: HistogramBucket) => bucketLabel(b) },
            { title: t('an.int.pairs'), dataIndex: 'customers', align: 'right', render: (v: number) => num(v) },
          ]}
        />
      )}
    </>
  );
}
