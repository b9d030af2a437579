import { CheckOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Segmented, Select, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { monitorApi, SEVERITIES, type AlertRead, type AlertStatus, type RuleRead, type Severity } from '../../api/monitor';
import { formatDateTime, orDash } from '../../common/format';
import { RuleErrorBadge } from './RuleErrorBadge';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { num } from '../../analytics/common';
import { deviationText, ruleConditionText } from './forms';
import { ListTable, ownerColumns } from './scaffold';
import { CreateRuleModal } from './RuleModal';
import { RuleChannels, RuleRowActions, RuleStatusSwitch } from './ruleActions';

const SEVERITY_COLOR: Record<Severity, string> = { info: 'blue', warning: 'orange', critical: 'red' };

/** 提示 / 警告 / 严重 as a coloured tag. */
function SeverityTag({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  return (
    <Tag color={SEVERITY_COLOR[severity]} data-severity={severity}>
      {t(`mal.severity.${severity}`)}
    </Tag>
  );
}

/** The previous window (threshold rules) or the 7-day baseline an anomaly was judged against. */
function BaselineCell({ a }: { a: AlertRead }) {
  const { t } = useI18n();
  const d = a.anomaly;
  if (!d) return <span className="mf-num">{num(a.previous)}</span>;
  if (a.outcome === 'insufficient_baseline') {
    return (
      <Tooltip title={t('mal.insufficientHint', { n: d.baseline_days })}>
        <Tag data-testid={`alert-insufficient-${a.id}`}>{t('mal.outcome.insufficient_baseline')}</Tag>
      </Tooltip>
    );
  }
  const detail = t('mal.baseline.detail', {
    mean: num(d.mean, 2),
    sigma: num(d.sigma, 2),
    z: deviationText(d.z, d.change_pct),
    n: d.baseline_days,
    day: d.measured_day,
  });
  return (
    <Tooltip title={detail}>
      <span className="mf-num" data-testid={`alert-baseline-${a.id}`}>
        {t('mal.baseline.mean', { mean: num(d.mean, 2) })} ·{' '}
        <Typography.Text type={a.value >= (d.mean ?? 0) ? 'danger' : 'warning'}>{deviationText(d.z, d.change_pct)}</Typography.Text>
        {d.z === null && <Typography.Text type="secondary"> ({t('mal.baseline.flat')})</Typography.Text>}
      </span>
    </Tooltip>
  );
}

function AlertsTab({ rules }: { rules: RuleRead[] }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<AlertStatus | 'all'>('open');
  const [severity, setSeverity] = useState<Severity | 'all'>('all');
  const alerts = useApi(
    (signal) => monitorApi.alerts(status === 'all' ? undefined : status, signal, severity === 'all' ? undefined : severity),
    [status, severity],
  );
  const [busy, setBusy] = useState<number | null>(null);
  const ruleOf = (id: number) => rules.find((r) => r.id === id);

  const ack = async (a: AlertRead) => {
    setBusy(a.id);
    try {
      await monitorApi.acknowledge(a.id);
      message.success(t('mal.acked'));
      alerts.reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', marginBottom: 12 }}>
        <Segmented<AlertStatus | 'all'>
          value={status}
          onChange={setStatus}
          data-testid="alert-status-filter"
          options={[
            { value: 'open', label: t('mal.status.open') },
            { value: 'acknowledged', label: t('mal.status.acknowledged') },
            { value: 'all', label: t('mal.status.all') },
          ]}
        />
        <Select<Severity | 'all'>
          value={severity}
          onChange={setSeverity}
          style={{ width: 140 }}
          aria-label={t('admin2.alerts.severityFilter')}
          data-testid="alert-severity-filter"
          options={[
            { value: 'all', label: t('mal.severity.all') },
            ...SEVERITIES.map((s) => ({ value: s, label: <SeverityTag severity={s} />, title: t(`mal.severity.${s}`) })),
          ]}
        />
        <Button icon={<ReloadOutlined />} onClick={alerts.reload} data-testid="alert-refresh">
          {t('common.refresh')}
        </Button>
      </div>
      <ListTable<AlertRead>
        list={alerts}
        testId="alert-table"
        rowAttrs={(a) => ({ 'data-testid': `alert-row-${a.id}`, 'data-status': a.status, 'data-severity': a.severity })}
        scrollX={1280}
        columns={[
          { title: t('mal.firedAt'), dataIndex: 'created_at', width: 160, render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span> },
          { title: t('mal.severity'), dataIndex: 'severity', width: 80, render: (v: Severity) => <SeverityTag severity={v} /> },
          { title: t('mal.day'), dataIndex: 'day', width: 110, render: (v: string) => <span className="mf-num">{v}</span> },
          {
            title: t('mal.rule'),
            key: 'rule',
            render: (_: unknown, a) => (
              <Tooltip title={a.message}>
                <span>{a.rule_name}</span>
              </Tooltip>
            ),
          },
          { title: t('mal.metric'), dataIndex: 'metric_key', render: (v: string) => <span className="mf-mono">{v}</span> },
          { title: t('mal.value'), dataIndex: 'value', align: 'right', render: (v: number) => <span className="mf-num">{num(v)}</span> },
          { title: t('mal.baseline'), key: 'baseline', align: 'right', render: (_: unknown, a) => <BaselineCell a={a} /> },
          {
            title: t('mal.threshold'),
            key: 'threshold',
            render: (_: unknown, a) => {
              const r = ruleOf(a.rule_id);
              return r ? <span className="mf-num">{ruleConditionText(r, t)}</span> : orDash(null);
            },
          },
          {
            title: t('mal.notified'),
            key: 'notified',
            render: (_: unknown, a) =>
              Object.keys(a.notifications).length
                ? Object.entries(a.notifications).map(([ch, res]) => (
                    <Tooltip key={ch} title={String(res)}>
                      <Tag color={res === 'sent' ? 'green' : 'red'}>{t(ch === 'email' ? 'mal.email' : 'mal.webhookShort')}</Tag>
                    </Tooltip>
                  ))
                : <Typography.Text type="secondary">{t('monitor3.inConsoleOnly')}</Typography.Text>,
          },
          {
            title: t('mal.status'),
            key: 'status',
            render: (_: unknown, a) => (
              <span data-testid={`alert-status-${a.id}`}>
                {a.status === 'open' ? (
                  <Badge status="error" text={t('mal.status.open')} />
                ) : a.status === 'none' ? (
                  <Badge status="default" text={t('mal.status.none')} />
                ) : (
                  <Tooltip title={`${orDash(a.acknowledged_by)} ${formatDateTime(a.acknowledged_at)}`}>
                    <Badge status="success" text={t('mal.status.acknowledged')} />
                  </Tooltip>
                )}
              </span>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 100,
            render: (_: unknown, a) =>
              a.status === 'open' ? (
                <Button size="small" icon={<CheckOutlined />} loading={busy === a.id} onClick={() => ack(a)} data-testid={`alert-ack-${a.id}`}>
                  {t('mal.ack')}
                </Button>
              ) : (
                <Typography.Text type="secondary">{a.status === 'none' ? orDash(null) : orDash(a.acknowledged_by)}</Typography.Text>
              ),
          },
        ]}
      />
    </>
  );
}

/** 运营监控 · 预警: fired alerts (acknowledge them) and the rules that fire them. */
export default function AlertsPage() {
  const { t } = useI18n();
  const rules = useApi((signal) => monitorApi.rules(signal), [], { keepPrevious: true });
  const metrics = useApi((signal) => monitorApi.metrics(signal), [], { keepPrevious: true });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<RuleRead>();
  const [tab, setTab] = useState('alerts');
  const metricOf = (id: number) => metrics.data?.find((m) => m.id === id);

  return (
    <>
      <PageHeader
        title={t('mal.alertsTitle')}
        subtitle={t('mal.alertsSubtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="rule-create">
            {t('mal.createRule')}
          </Button>
        }
      />
      <Card variant="borderless" className="mf-card">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            { key: 'alerts', label: <span data-testid="alerts-tab">{t('mal.tab.alerts')}</span>, children: <AlertsTab rules={rules.data ?? []} /> },
            {
              key: 'rules',
              label: <span data-testid="rules-tab">{t('mal.tab.rules')}</span>,
              children: (
                <ListTable<RuleRead>
                  list={rules}
                  testId="rule-table"
                  rowAttrs={(r) => ({ 'data-testid': `rule-row-${r.id}` })}
                  scrollX={1240}
                    columns={[
                      { title: t('mal.ruleName'), dataIndex: 'name', render: (v: string, r) => <>{v}<RuleErrorBadge rule={r} /></> },
                      {
                        title: t('mal.metric'),
                        key: 'metric',
                        render: (_: unknown, r) => {
                          const m = metricOf(r.metric_id);
                          return m ? `${m.name} (${m.key})` : `#${r.metric_id}`;
                        },
                      },
                      { title: t('mal.condition'), key: 'cond', render: (_: unknown, r) => <span className="mf-num">{ruleConditionText(r, t)}</span> },
                      { title: t('mal.severity'), dataIndex: 'severity', width: 80, render: (v: Severity) => <SeverityTag severity={v} /> },
                      { title: t('monitor3.channels'), key: 'channels', width: 200, render: (_: unknown, r) => <RuleChannels rule={r} /> },
                      {
                        title: t('mal.enabled'),
                        dataIndex: 'enabled',
                        width: 90,
                        render: (_: boolean, r) => <RuleStatusSwitch rule={r} onChanged={rules.reload} />,
                      },
                      ...ownerColumns<RuleRead>(t),
                      {
                        title: t('common.actions'),
                        key: 'actions',
                        width: 150,
                        fixed: 'right',
                        render: (_: unknown, r) => <RuleRowActions rule={r} onEdit={() => setEditing(r)} onDeleted={rules.reload} />,
                      },
                    ]}
                  />
              ),
            },
          ]}
        />
      </Card>
      <CreateRuleModal
        key={editing ? `edit-${editing.id}` : 'create'}
        open={creating || !!editing}
        editing={editing}
        metrics={metrics.data ?? []}
        onClose={() => {
          setCreating(false);
          setEditing(undefined);
        }}
        onCreated={() => {
          setCreating(false);
          setEditing(undefined);
          rules.reload();
          setTab('rules');
        }}
      />
    </>
  );
}
