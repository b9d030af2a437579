import { Card, Progress, Space, Typography } from 'antd';
import { dataApi } from '../api/data';
import { ErrorAlert } from '../common/ErrorAlert';
import { useApi } from '../common/useApi';
import { useT, type MessageKey } from '../i18n';
import { coverageRows } from './identityCoverage';

/** 身份覆盖: per channel, the share of the customers the viewer may see that have an address there. */
export function IdentityCoverageCard() {
  const t = useT();
  const cov = useApi((signal) => dataApi.identityCoverage(signal), []);
  const rows = coverageRows(cov.data);
  return (
    <Card
      title={t('identity.coverage.title')}
      size="small"
      style={{ marginBottom: 16 }}
      loading={cov.loading && !cov.data}
      extra={
        cov.data ? (
          <Typography.Text type="secondary" className="mf-num">
            {t('identity.coverage.customers', { n: cov.data.customers })}
          </Typography.Text>
        ) : null
      }
      data-testid="identity-coverage"
    >
      {cov.error ? <ErrorAlert error={cov.error} onRetry={cov.reload} /> : null}
      <Space wrap size={[24, 8]}>
        {rows.map((r) => (
          <div key={r.channel} style={{ width: 150 }} data-testid={`coverage-${r.channel}`}>
            <Typography.Text style={{ fontSize: 12 }}>
              {t(`identity.channel.${r.channel}` as MessageKey)}
            </Typography.Text>
            <Progress percent={r.percent} size="small" format={(p) => `${p}%`} />
            <Typography.Text type="secondary" className="mf-num" style={{ fontSize: 12 }}>
              {t('identity.coverage.reachable', { n: r.reachable })}
            </Typography.Text>
          </div>
        ))}
      </Space>
    </Card>
  );
}
