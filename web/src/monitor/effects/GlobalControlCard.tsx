import { Card, Empty, Table } from 'antd';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { formatRate } from '../../common/format';
import { useI18n } from '../../i18n';
import { effectsApi, type GlobalControlMonth } from './api';
import { signedAmount, signedPct, withInterval } from './format';

/** A card of the MAU/AUM dashboard: the global control group against everyone else, month by month. */
export function GlobalControlCard({ monthFrom, monthTo }: { monthFrom: string; monthTo: string }) {
  const { t } = useI18n();
  const gc = useApi((signal) => effectsApi.globalControl(monthFrom, monthTo, signal), [monthFrom, monthTo]);
  const pair = (a: number | null, b: number | null, f: (v: number | null) => string) => `${f(a)} / ${f(b)}`;
  const money = (v: number | null) => (v === null ? '—' : Math.round(v).toLocaleString());
  return (
    <Card size="small" title={t('effects.gc.title')} style={{ marginTop: 12 }} data-testid="global-control-card">
      {gc.error !== undefined && <ErrorAlert error={gc.error} onRetry={gc.reload} />}
      {gc.data && gc.data.percent <= 0 ? (
        <Empty description={t('effects.gc.none')} />
      ) : (
        <>
          {gc.data && <div style={{ marginBottom: 8, color: '#888' }}>{t('effects.gc.hint', { percent: gc.data.percent })}</div>}
          <Table<GlobalControlMonth>
            size="small"
            rowKey="month"
            pagination={false}
            loading={gc.loading}
            dataSource={gc.data?.months ?? []}
            columns={[
              { title: t('effects.gc.month'), dataIndex: 'month' },
              { title: t('effects.gc.active'), key: 'a', render: (_, m) => pair(m.control_active_rate, m.rest_active_rate, formatRate) },
              {
                title: t('effects.gc.activeLift'),
                key: 'al',
                render: (_, m) => withInterval(m.active_lift?.difference, m.active_lift?.ci_lower, m.active_lift?.ci_upper, signedPct),
              },
              { title: t('effects.gc.adoption'), key: 'p', render: (_, m) => pair(m.control_adoption_rate, m.rest_adoption_rate, formatRate) },
              { title: t('effects.gc.aum'), key: 'm', render: (_, m) => pair(m.control_aum_mean, m.rest_aum_mean, money) },
              {
                title: t('effects.gc.aumDiff'),
                key: 'md',
                render: (_, m) => withInterval(m.aum_difference?.difference, m.aum_difference?.ci_lower, m.aum_difference?.ci_upper, (v) => signedAmount(v)),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}
