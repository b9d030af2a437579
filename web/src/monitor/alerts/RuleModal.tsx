import { App, Form, Input, InputNumber, Segmented, Select, Typography } from 'antd';
import {
  ANOMALY_DIRECTIONS,
  monitorApi,
  RULE_OPS,
  SEVERITIES,
  type AnomalyDirection,
  type MetricRead,
  type RuleCreate,
  type RuleOp,
  type RuleRead,
  type Severity,
} from '../../api/monitor';
import { useI18n } from '../../i18n';
import { cleanEmails, ruleFormField } from './forms';
import { FormModal, useServerForm } from './scaffold';

interface RuleForm {
  name: string;
  metric_id: number;
  op: RuleOp;
  threshold?: number;
  k?: number;
  direction?: AnomalyDirection;
  min_change_pct?: number;
  severity: Severity;
  emails?: string[];
  webhook_url?: string;
}

/** The body of a new rule: a threshold, or (op `anomaly`) the baseline parameters. */
function ruleBody(v: RuleForm): RuleCreate {
  const common = {
    metric_id: v.metric_id,
    name: v.name.trim(),
    op: v.op,
    severity: v.severity,
    emails: cleanEmails(v.emails),
    webhook_url: v.webhook_url?.trim() || null,
  };
  if (v.op === 'anomaly') {
    return { ...common, threshold: null, anomaly: { k: v.k ?? 3, direction: v.direction ?? 'both', min_change_pct: v.min_change_pct ?? 10 } };
  }
  return { ...common, threshold: v.threshold ?? null };
}

/** The form values of a stored rule (what its edit form opens with). */
function ruleForm(r: RuleRead): RuleForm {
  return {
    name: r.name,
    metric_id: r.metric_id,
    op: r.op,
    threshold: r.threshold ?? undefined,
    k: r.anomaly?.k ?? 3,
    direction: r.anomaly?.direction ?? 'both',
    min_change_pct: r.anomaly?.min_change_pct ?? 10,
    severity: r.severity,
    emails: r.emails,
    webhook_url: r.webhook_url ?? undefined,
  };
}

/** 新建预警规则 (or, given `editing`, 编辑预警规则): a threshold / change rule or an anomaly rule vs the 7-day
 * baseline, with severity and recipients. An edited rule keeps its metric. */
export function CreateRuleModal({
  open,
  metrics,
  editing,
  onClose,
  onCreated,
}: {
  open: boolean;
  metrics: MetricRead[];
  editing?: RuleRead;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const state = useServerForm<RuleForm>(
    ruleFormField,
    (v) => {
      if (!editing) return monitorApi.createRule(ruleBody(v));
      const { metric_id: _unchanged, ...changes } = ruleBody({ ...v, metric_id: editing.metric_id });
      return monitorApi.updateRule(editing.id, changes);
    },
    () => {
      message.success(t(editing ? 'monitor3.saved' : 'mal.ruleCreated'));
      onCreated();
    },
  );
  const { form } = state;
  const op = Form.useWatch('op', form);

  const required = { required: true, message: t('mal.required') };
  return (
    <FormModal open={open} title={t(editing ? 'monitor3.editRule' : 'mal.createRule')} onClose={onClose} state={state} testPrefix="rule">
      <Form<RuleForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={editing ? ruleForm(editing) : { op: 'gt', emails: [], severity: 'warning', k: 3, direction: 'both', min_change_pct: 10 }}
      >
        <Form.Item name="name" label={t('mal.ruleName')} rules={[{ ...required, whitespace: true }]}>
          <Input autoComplete="off" data-testid="rule-name" />
        </Form.Item>
        <Form.Item name="metric_id" label={t('mal.metric')} rules={[required]}>
          <Select
            showSearch
            optionFilterProp="label"
            data-testid="rule-metric"
            disabled={!!editing}
            notFoundContent={t('mal.noMetrics')}
            options={metrics.map((m) => ({ value: m.id, label: `${m.name} (${m.key})` }))}
          />
        </Form.Item>
        <Form.Item name="op" label={t('mal.op')} rules={[required]} extra={op === 'anomaly' ? t('mal.anomaly.explain') : undefined}>
          <Select data-testid="rule-op" options={RULE_OPS.map((o) => ({ value: o, label: t(`mal.op.${o}`) }))} />
        </Form.Item>
        {op === 'anomaly' ? (
          <>
            <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
              <Form.Item name="k" label={t('mal.anomaly.k')} rules={[required]} tooltip={t('mal.anomaly.kHint')}>
                <InputNumber min={1} max={10} step={0.5} style={{ width: 160 }} data-testid="rule-k" />
              </Form.Item>
              <Form.Item name="min_change_pct" label={t('mal.anomaly.minChange')} rules={[required]} tooltip={t('mal.anomaly.minChangeHint')}>
                <InputNumber min={0} max={1000} step={5} style={{ width: 160 }} suffix="%" data-testid="rule-min-change" />
              </Form.Item>
            </div>
            <Form.Item name="direction" label={t('mal.anomaly.direction')} rules={[required]}>
              <Segmented<AnomalyDirection>
                data-testid="rule-direction"
                options={ANOMALY_DIRECTIONS.map((d) => ({ value: d, label: t(`mal.anomaly.direction.${d}`) }))}
              />
            </Form.Item>
          </>
        ) : (
          <Form.Item
            name="threshold"
            label={t('mal.threshold')}
            extra={op?.startsWith('change_') ? t('mal.thresholdPct') : undefined}
            rules={[required]}
          >
            <InputNumber style={{ width: 200 }} data-testid="rule-threshold" />
          </Form.Item>
        )}
        <Form.Item name="severity" label={t('mal.severity')} rules={[required]} extra={<Typography.Text type="secondary">{t('mal.severityHint')}</Typography.Text>}>
          <Segmented<Severity> data-testid="rule-severity" options={SEVERITIES.map((s) => ({ value: s, label: t(`mal.severity.${s}`) }))} />
        </Form.Item>
        <Form.Item name="emails" label={t('mal.emails')} extra={t('mal.emailsHint')}>
          <Select mode="tags" tokenSeparators={[',', ';', ' ']} open={false} suffixIcon={null} data-testid="rule-emails" />
        </Form.Item>
        <Form.Item name="webhook_url" label={t('mal.webhook')} extra={t('mal.webhookHint')}>
          <Input autoComplete="off" placeholder="https://" data-testid="rule-webhook" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}
