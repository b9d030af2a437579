import { CheckOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Form, Input, InputNumber, Modal, Segmented, Select, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { errorMessage, fieldErrors } from '../../api/errors';
import { monitorApi, RULE_OPS, type AlertRead, type AlertStatus, type MetricRead, type RuleOp, type RuleRead } from '../../api/monitor';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime, orDash } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { num } from '../../analytics/common';
import { cleanEmails, conditionText, ruleFormField, splitServerErrors } from './forms';

interface RuleForm {
  name: string;
  metric_id: number;
  op: RuleOp;
  threshold: number;
  emails?: string[];
  webhook_url?: string;
}

function CreateRuleModal({
  open,
  metrics,
  onClose,
  onCreated,
}: {
  open: boolean;
  metrics: MetricRead[];
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RuleForm>();
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const op = Form.useWatch('op', form);

  const save = async () => {
    let v: RuleForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setFormError(null);
    try {
      await monitorApi.createRule({
        metric_id: v.metric_id,
        name: v.name.trim(),
        op: v.op,
        threshold: v.threshold,
        emails: cleanEmails(v.emails),
        webhook_url: v.webhook_url?.trim() || null,
      });
      message.success(t('mal.ruleCreated'));
      form.resetFields();
      onCreated();
    } catch (err) {
      const { fields, general } = splitServerErrors<keyof RuleForm>(fieldErrors(err), ruleFormField);
      if (fields.length) form.setFields(fields);
      setFormError(general ?? (fields.length ? null : errorMessage(err, t)));
    } finally {
      setSaving(false);
    }
  };

  const required = { required: true, message: t('mal.required') };
  return (
    <Modal
      open={open}
      title={t('mal.createRule')}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={false}
      afterClose={() => setFormError(null)}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="save" type="primary" loading={saving} onClick={save} data-testid="rule-save">
          {t('mal.save')}
        </Button>,
      ]}
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="rule-form-error" />}
      <Form<RuleForm> form={form} layout="vertical" preserve={false} initialValues={{ op: 'gt', emails: [] }}>
        <Form.Item name="name" label={t('mal.ruleName')} rules={[{ ...required, whitespace: true }]}>
          <Input autoComplete="off" data-testid="rule-name" />
        </Form.Item>
        <Form.Item name="metric_id" label={t('mal.metric')} rules={[required]}>
          <Select
            showSearch
            optionFilterProp="label"
            data-testid="rule-metric"
            notFoundContent={t('mal.noMetrics')}
            options={metrics.map((m) => ({ value: m.id, label: `${m.name} (${m.key})` }))}
          />
        </Form.Item>
        <Form.Item name="op" label={t('mal.op')} rules={[required]}>
          <Select data-testid="rule-op" options={RULE_OPS.map((o) => ({ value: o, label: t(`mal.op.${o}`) }))} />
        </Form.Item>
        <Form.Item
          name="threshold"
          label={t('mal.threshold')}
          extra={op?.startsWith('change_') ? t('mal.thresholdPct') : undefined}
          rules={[required]}
        >
          <InputNumber style={{ width: 200 }} data-testid="rule-threshold" />
        </Form.Item>
        <Form.Item name="emails" label={t('mal.emails')} extra={t('mal.emailsHint')}>
          <Select mode="tags" tokenSeparators={[',', ';', ' ']} open={false} suffixIcon={null} data-testid="rule-emails" />
        </Form.Item>
        <Form.Item name="webhook_url" label={t('mal.webhook')} extra={t('mal.webhookHint')}>
          <Input autoComplete="off" placeholder="https://" data-testid="rule-webhook" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AlertsTab({ rules }: { rules: RuleRead[] }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<AlertStatus | 'all'>('open');
  const alerts = useApi((signal) => monitorApi.alerts(status === 'all' ? undefined : status, signal), [status]);
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
        <Button icon={<ReloadOutlined />} onClick={alerts.reload} data-testid="alert-refresh">
          {t('common.refresh')}
        </Button>
      </div>
      {alerts.error !== undefined && <ErrorAlert error={alerts.error} onRetry={alerts.reload} />}
      <Table<AlertRead>
        rowKey="id"
        size="small"
        loading={alerts.loading}
        dataSource={alerts.data ?? []}
        data-testid="alert-table"
        onRow={(a) => ({ 'data-testid': `alert-row-${a.id}`, 'data-status': a.status }) as HTMLAttributes<HTMLElement>}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
        scroll={{ x: 1100 }}
        columns={[
          { title: t('mal.firedAt'), dataIndex: 'created_at', width: 160, render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span> },
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
          { title: t('mal.previousWindow'), dataIndex: 'previous', align: 'right', render: (v: number) => <span className="mf-num">{num(v)}</span> },
          {
            title: t('mal.threshold'),
            key: 'threshold',
            render: (_: unknown, a) => {
              const r = ruleOf(a.rule_id);
              return r ? <span className="mf-num">{conditionText(r.op, r.threshold, t('mal.change'))}</span> : orDash(null);
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
                : orDash(null),
          },
          {
            title: t('mal.status'),
            key: 'status',
            render: (_: unknown, a) => (
              <span data-testid={`alert-status-${a.id}`}>
                {a.status === 'open' ? (
                  <Badge status="error" text={t('mal.status.open')} />
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
                <Typography.Text type="secondary">{orDash(a.acknowledged_by)}</Typography.Text>
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
                <>
                  {rules.error !== undefined && <ErrorAlert error={rules.error} onRetry={rules.reload} />}
                  <Table<RuleRead>
                    rowKey="id"
                    size="small"
                    loading={rules.loading}
                    dataSource={rules.data ?? []}
                    data-testid="rule-table"
                    onRow={(r) => ({ 'data-testid': `rule-row-${r.id}` }) as HTMLAttributes<HTMLElement>}
                    pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
                    scroll={{ x: 960 }}
                    columns={[
                      { title: t('mal.ruleName'), dataIndex: 'name' },
                      {
                        title: t('mal.metric'),
                        key: 'metric',
                        render: (_: unknown, r) => {
                          const m = metricOf(r.metric_id);
                          return m ? `${m.name} (${m.key})` : `#${r.metric_id}`;
                        },
                      },
                      { title: t('mal.condition'), key: 'cond', render: (_: unknown, r) => <span className="mf-num">{conditionText(r.op, r.threshold, t('mal.change'))}</span> },
                      { title: t('mal.emails'), dataIndex: 'emails', render: (v: string[]) => (v.length ? v.map((e) => <Tag key={e}>{e}</Tag>) : orDash(null)) },
                      { title: t('mal.webhook'), dataIndex: 'webhook_url', render: (v: string | null) => <span className="mf-mono">{orDash(v)}</span> },
                      {
                        title: t('mal.enabled'),
                        dataIndex: 'enabled',
                        render: (v: boolean) => (v ? <Badge status="success" text={t('common.yes')} /> : <Badge status="default" text={t('common.no')} />),
                      },
                      { title: t('mal.owner'), dataIndex: 'owner_org', render: (v: string) => <span className="mf-mono">{v}</span> },
                      { title: t('mal.createdAt'), key: 'created', render: (_: unknown, r) => <span className="mf-num">{formatDateTime(r.created_at)} {orDash(r.created_by)}</span> },
                    ]}
                  />
                </>
              ),
            },
          ]}
        />
      </Card>
      <CreateRuleModal
        open={creating}
        metrics={metrics.data ?? []}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          rules.reload();
          setTab('rules');
        }}
      />
    </>
  );
}
