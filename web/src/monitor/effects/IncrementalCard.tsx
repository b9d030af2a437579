import { Alert, Card, Descriptions } from 'antd';
import dayjs from 'dayjs';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { effects2Api } from './api2';
import { signedAmount, withInterval } from './format';

/** A card of the MAU/AUM dashboard: the part of the movement campaigns added, from their holdouts (an estimate). */
export function IncrementalCard({ monthFrom, monthTo }: { monthFrom: string; monthTo: string }) {
  const { t } = useI18n();
  const from = dayjs(monthFrom).startOf('month').format('YYYY-MM-DD');
  const to = dayjs(monthTo).endOf('month').format('YYYY-MM-DD');
  const part = useApi((signal) => effects2Api.incremental(from, to, signal), [from, to]);
  const p = part.data;
  return (
    <Card size="small" title={t('effects2.inc.title')} style={{ marginTop: 12 }} data-testid="incremental-card">
      <Alert type="info" showIcon message={t('effects2.inc.estimate')} style={{ marginBottom: 8 }} />
      {part.error !== undefined && <ErrorAlert error={part.error} onRetry={part.reload} />}
      {p && (
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t('effects2.inc.customers')}>
            {withInterval(p.incremental_customers, p.customers_lower, p.customers_upper, (v) => signedAmount(v, 0))}
          </Descriptions.Item>
          <Descriptions.Item label={t('effects2.inc.aum')}>
            {withInterval(p.incremental_aum, p.aum_lower, p.aum_upper, (v) => signedAmount(v, 0))}
          </Descriptions.Item>
          <Descriptions.Item label={t('effects2.inc.counted')}>
            {t('effects2.inc.strategies', { n: p.strategies, without: p.without_control })}
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
