import { Card, Col, Empty, List, Row, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { REACH } from '../../api/reach';
import { strategyApi } from '../../api/strategy';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { policyApi, type Suppression } from '../../strategy/policy/api';

/** One journey of the customer (`GET /api/customers/{id}/journeys`). */
interface Journey {
  strategy_id: number;
  version: number;
  node: string;
  status: string;
  waiting_for: string | null;
  entered_at: string;
  exit_reason: string | null;
  variant: string | null;
  holdout: boolean;
  converted_at: string | null;
}

interface Delivery {
  id: number;
  channel: string;
  status: string;
  receipt: string | null;
  strategy_id: number | null;
  created_at: string;
}

/** A section's answer, or null when the viewer may not see it (each section is permitted on its own). */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

/** 策略旅程: the strategies the customer is in (where and why), recent suppressions and the latest deliveries. */
export function JourneysCard({ customerId }: { customerId: string }) {
  const { t, tv } = useI18n();
  const { data } = useApi(
    async (signal) => {
      const id = encodeURIComponent(customerId);
      const [journeys, strategies, suppressions, deliveries] = await Promise.all([
        orNull(api.get<{ items: Journey[] }>(`/api/customers/${id}/journeys`, { signal })),
        orNull(strategyApi.list(signal)),
        orNull(policyApi.suppressions({ customerId }, signal)),
        orNull(api.get<{ items: Delivery[] }>(`${REACH}/deliveries`, {
          signal,
          query: { customer_id: customerId, limit: 5 },
        })),
      ]);
      return { journeys, strategies, suppressions, deliveries };
    },
    [customerId],
  );
  const names = new Map((data?.strategies ?? []).map((s) => [s.id, s.name]));
  const nameOf = (id: number | null) =>
    id === null ? '' : names.get(id) ?? t('journeys.strategyFallback', { id });

  const journeyItem = (j: Journey) => (
    <List.Item data-testid="journey-item">
      <Space direction="vertical" size={2} style={{ width: '100%' }}>
        <Space wrap size={6}>
          <Link to={`/strategy/${j.strategy_id}/monitor`}>{nameOf(j.strategy_id)}</Link>
          <Tag color={j.status === 'done' ? 'default' : 'processing'}>{tv('journeys.state', j.status)}</Tag>
          {j.exit_reason && <Tag>{tv('journeys.exit', j.exit_reason)}</Tag>}
          {j.converted_at && <Tag color="success">{t('journeys.converted')}</Tag>}
          {j.holdout && <Tag color="purple">{t('journeys.holdout')}</Tag>}
          {j.variant && <Tag color="blue">{t('journeys.variant', { variant: j.variant })}</Tag>}
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('journeys.node', { node: j.node })} · {t('journeys.entered', { at: formatDateTime(j.entered_at) })}
          {j.waiting_for && j.status !== 'done' ? ` · ${t('journeys.waitingFor', { what: j.waiting_for })}` : ''}
        </Typography.Text>
      </Space>
    </List.Item>
  );

  const suppressionItem = (s: Suppression) => (
    <List.Item data-testid="journey-suppression">
      <Space direction="vertical" size={2}>
        <Space wrap size={6}>
          <Tag>{tv('reach.channel', s.channel)}</Tag>
          <Tag color="orange">{tv('policy.verdict', s.verdict)}</Tag>
          <span>{tv('policy.reason', s.reason)}</span>
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatDateTime(s.at)} {s.strategy_id !== null ? `· ${nameOf(s.strategy_id)}` : ''}
        </Typography.Text>
      </Space>
    </List.Item>
  );

  const deliveryItem = (d: Delivery) => (
    <List.Item data-testid="journey-delivery">
      <Space direction="vertical" size={2}>
        <Space wrap size={6}>
          <Tag>{tv('reach.channel', d.channel)}</Tag>
          <Tag color={d.status === 'accepted' ? 'green' : 'orange'}>{tv('reach.status', d.status)}</Tag>
          {d.receipt && <Tag color="blue">{tv('reach.receipt', d.receipt)}</Tag>}
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {formatDateTime(d.created_at)} {d.strategy_id !== null ? `· ${nameOf(d.strategy_id)}` : ''}
        </Typography.Text>
      </Space>
    </List.Item>
  );

  const section = <T,>(title: string, rows: T[] | null | undefined, empty: string, item: (x: T) => React.ReactNode) => (
    <>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {title}
      </Typography.Title>
      {rows === null ? (
        <Typography.Text type="secondary">{t('journeys.unavailable')}</Typography.Text>
      ) : rows && rows.length > 0 ? (
        <List size="small" dataSource={rows} renderItem={item} />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} />
      )}
    </>
  );

  return (
    <Card title={t('journeys.title')} size="small" style={{ marginTop: 16 }} data-testid="journeys-card" loading={!data}>
      <Row gutter={24}>
        <Col xs={24} xl={10}>
          {section(t('journeys.strategies'), data?.journeys ? data.journeys.items.slice(0, 6) : null, t('journeys.none'), journeyItem)}
        </Col>
        <Col xs={24} xl={7}>
          {section(t('journeys.suppressions'), data?.suppressions ? data.suppressions.slice(0, 5) : null, t('journeys.noSuppressions'), suppressionItem)}
        </Col>
        <Col xs={24} xl={7}>
          {section(t('journeys.deliveries'), data?.deliveries ? data.deliveries.items.slice(0, 5) : null, t('journeys.noDeliveries'), deliveryItem)}
        </Col>
      </Row>
    </Card>
  );
}
