import type { DistributionResult } from '../../api/analytics';
import { useI18n } from '../../i18n';
import { num, Stat } from '../common';
import { Histogram } from './Histogram';

/** The result of a distribution query: customer counts, mean / median / P90, and the histogram. */
export function DistributionView({ data, compact }: { data: DistributionResult; compact?: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <div className="mf-an-stats">
        <Stat label={t('an.dist.customers')} value={num(data.customers)} />
        <Stat label={t('an.dist.without')} value={num(data.customers_without)} />
        <Stat label={t('an.mean')} value={num(data.mean, 2)} />
        <Stat label={t('an.median')} value={num(data.median, 2)} />
        <Stat label="P90" value={num(data.p90, 2)} />
      </div>
      <Histogram
        buckets={data.buckets}
        testId="distribution-chart"
        label={(b) => b.label}
        axis={t('an.customersAxis')}
        height={compact ? 240 : 300}
      />
    </>
  );
}
