import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, Row, Space, Statistic, Tag, Tooltip, Typography, theme } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { fetchIngestStatus, type IngestStatus } from '../api/endpoints';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { useApi } from '../common/useApi';
import { useT } from '../i18n';
import {
  REFRESH_MS,
  backlogWarning,
  batchEndpoint,
  formatCount,
  formatMs,
  formatWorkers,
  modeKey,
  relativeAge,
  workersDegraded,
} from './ingestStatus';

const MODE_COLOR: Record<string, string> = { background: 'success', inline: 'processing', stopped: 'error' };

/** A line of small text under a statistic (a warning, the flush duration). */
function Caption({ children, color }: { children: ReactNode; color?: string }) {
  return (
    <Typography.Text type={color ? undefined : 'secondary'} style={{ fontSize: 12, color }}>
      {children}
    </Typography.Text>
  );
}

interface WarningStatProps {
  title: string;
  value: string | undefined;
  loading: boolean;
  warning: string | null; // shown under the value, which turns `color`, when there is something to warn about
  color: string;
  testId: string;
}

/** A statistic that can turn the warning colour, with the reason underneath (`data-warning` says which). */
function WarningStat({ title, value, loading, warning, color, testId }: WarningStatProps) {
  return (
    <>
      <Statistic
        title={title}
        value={value}
        loading={loading}
        className="mf-num"
        styles={warning ? { content: { color } } : undefined}
        data-testid={testId}
        data-warning={warning ? '1' : '0'}
      />
      {warning && <Caption color={color}>{warning}</Caption>}
    </>
  );
}

/**
 * 采集状态: whether event ingestion (`/v1/*`) is healthy — events stored, backlog, last flush, parse workers,
 * last error — refreshed every 10 s while shown. Needs the `admin:keys` permission, like the keys page.
 */
export function IngestStatusCard() {
  const t = useT();
  const { token } = theme.useToken();
  const { data, error, loading, reload } = useApi((signal) => fetchIngestStatus(signal), []);
  // Relative times are measured from when the last refresh was asked for, so rendering stays pure.
  const [now, setNow] = useState(() => Date.now());

  const refresh = useCallback(() => {
    setNow(Date.now());
    reload();
  }, [reload]);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden) refresh();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  const s: IngestStatus | undefined = data;
  const first = !s && loading;
  const backlogHigh = backlogWarning(s?.pending_events);
  const workersDown = workersDegraded(s?.parse_workers);
  const noWorkers = s?.parse_workers?.configured === 0;
  const age = relativeAge(s?.last_flush_at, now);
  const mode = s ? modeKey(s.mode) : null;
  const warn = token.colorWarning;

  return (
    <Card
      variant="borderless"
      className="mf-card"
      data-testid="ingest-status"
      title={
        <Space size={8} wrap>
          {t('ingest.title')}
          {s && (
            <Tag color={MODE_COLOR[s.mode] ?? 'default'} data-testid="ingest-mode" data-mode={s.mode}>
              {mode ? t(mode) : s.mode}
            </Tag>
          )}
        </Space>
      }
      extra={
        <Space size={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('ingest.autoRefresh')}
          </Typography.Text>
          <Button size="small" icon={<ReloadOutlined />} onClick={refresh} loading={loading} data-testid="ingest-refresh">
            {t('common.refresh')}
          </Button>
        </Space>
      }
    >
      {error !== undefined && <ErrorAlert error={error} onRetry={refresh} />}
      {s?.mode === 'stopped' && (
        <Alert type="warning" showIcon title={t('ingest.stoppedNote')} style={{ marginBottom: 16 }} />
      )}
      {s?.last_error && (
        <Alert
          type="error"
          showIcon
          title={t('ingest.lastError')}
          description={<span className="mf-mono">{s.last_error}</span>}
          style={{ marginBottom: 16 }}
          data-testid="ingest-last-error"
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}>
          <Statistic
            title={t('ingest.eventsTotal')}
            value={s ? formatCount(s.events_total) : undefined}
            loading={first}
            className="mf-num"
            data-testid="ingest-events-total"
          />
        </Col>
        <Col xs={12} lg={6}>
          <WarningStat
            title={t('ingest.backlog')}
            value={s ? formatCount(s.pending_events) : undefined}
            loading={first}
            warning={backlogHigh ? t('ingest.backlogHigh') : null}
            color={warn}
            testId="ingest-backlog"
          />
        </Col>
        <Col xs={12} lg={6}>
          <Statistic
            title={t('ingest.lastFlush')}
            value={age ? t(age.key, { n: age.n }) : s ? t('ingest.lastFlushNever') : undefined}
            valueRender={(node) =>
              s?.last_flush_at ? <Tooltip title={formatDateTime(s.last_flush_at)}>{node}</Tooltip> : node
            }
            loading={first}
            styles={age ? undefined : { content: { fontSize: 16 } }}
            data-testid="ingest-last-flush"
          />
          {s?.last_flush_ms != null && (
            <Caption>{t('ingest.lastFlushTook', { ms: formatMs(s.last_flush_ms) })}</Caption>
          )}
        </Col>
        <Col xs={12} lg={6}>
          <WarningStat
            title={t('ingest.parseWorkers')}
            value={s ? formatWorkers(s.parse_workers) : undefined}
            loading={first}
            warning={workersDown ? t('ingest.parseWorkersDown') : null}
            color={warn}
            testId="ingest-parse-workers"
          />
          {noWorkers && <Caption>{t('ingest.parseWorkersInProcess')}</Caption>}
        </Col>
      </Row>
      {s && s.mode !== 'stopped' && (
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginTop: 16 }}>
          <Descriptions.Item label={t('ingest.duplicates')}>
            <span className="mf-num" data-testid="ingest-duplicates">{formatCount(s.duplicates_skipped)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ingest.unattributed')}>
            <span className="mf-num" data-testid="ingest-unattributed">
              {formatCount(s.unattributed_anonymous_ids)}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ingest.flushes')}>
            <span className="mf-num">{formatCount(s.flushes)}</span>
          </Descriptions.Item>
        </Descriptions>
      )}
      <div style={{ marginTop: 12 }} data-testid="ingest-howto">
        <Typography.Text type="secondary">{t('ingest.howTo')}</Typography.Text>
        <Typography.Text code copyable data-testid="ingest-endpoint">
          {batchEndpoint(window.location.origin)}
        </Typography.Text>
        <Typography.Text type="secondary">{t('ingest.howToAuth')}</Typography.Text>
      </div>
    </Card>
  );
}
