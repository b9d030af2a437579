import { ArrowRightOutlined } from '@ant-design/icons';
import { Card, Space, Statistic, Typography } from 'antd';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { ck } from '../params';
import { campaignsApi } from '../api';
import { funnelSteps } from './live';

/** Targeted → reached → joined → completed → rewarded, refreshed with the page's tick. */
export function ParticipationFunnel({ campaignId, tick }: { campaignId: number; tick: number }) {
  const { t } = useI18n();
  const funnel = useApi((signal) => campaignsApi.funnel(campaignId, signal), [campaignId, tick], { keepPrevious: true });
  return (
    <Card size="small" title={t('camp2.funnel.title')} style={{ marginBottom: 12 }} data-testid="campaign-funnel"
      extra={funnel.data && <Typography.Text type="secondary">{t('camp2.funnel.updated', { time: formatDateTime(funnel.data.as_of) })}</Typography.Text>}>
      {funnel.error != null && <ErrorAlert error={funnel.error} onRetry={funnel.reload} />}
      {funnel.data && (
        <Space wrap size="large" align="center">
          {funnelSteps(funnel.data).map((s, i) => (
            <Space key={s.stage} align="center">
              {i > 0 && <ArrowRightOutlined style={{ color: '#94a3b8' }} />}
              <div data-testid={`funnel-${s.stage}`}>
                <Statistic title={ck(t, `camp2.stage.${s.stage}`)} value={s.count ?? t('camp2.funnel.unknown')} />
                {s.rate !== null && (
                  <Typography.Text type="secondary">{t('camp2.funnel.rate', { rate: `${(s.rate * 100).toFixed(1)}%` })}</Typography.Text>
                )}
              </div>
            </Space>
          ))}
        </Space>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>{t('camp2.funnel.hint')}</Typography.Paragraph>
    </Card>
  );
}
