import { Alert, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row, Select, Space, Table, Tabs, Tag, message } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { formatMoney } from '../../common/format';
import { errorMessage } from '../../api/errors';
import { useI18n } from '../../i18n';
import { tk } from '../../strategy/labels';
import { effectsApi, type EffectQuery, type FunnelGroup, type MeanTest, type StrategyEffect } from './api';
import { AttributionCard } from './AttributionCard';
import { GoalsCard } from './GoalsCard';
import { fractionPct, pValue, signedAmount, signedPct, significant, stepRates, withInterval } from './format';

/** 效果评估 of one strategy: funnel, lift against the control, AUM DiD with CUPED, costs and ROI, honesty notes. */
export default function EffectPage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const [q, setQ] = useState<EffectQuery>({ window_days: 30, value_per_conversion: 0, aum_value_rate: 0.01, benefit_basis: 'issued' });
  const eff = useApi((signal) => effectsApi.strategy(id, q, signal), [id, q], { keepPrevious: true });
  return (
    <>
      <PageHeader
        title={t('effects.title')}
        subtitle={t('effects.subtitle', { id })}
        back={<Link to="/strategy">←</Link>}
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <span>{t('effects.window')}</span>
          <InputNumber min={1} max={365} value={q.window_days} onChange={(v) => v && setQ({ ...q, window_days: v })} />
          <span>{t('effects.valuePerConversion')}</span>
          <InputNumber min={0} value={q.value_per_conversion} onChange={(v) => setQ({ ...q, value_per_conversion: v ?? 0 })} />
          <span>{t('effects.aumValueRate')}</span>
          <InputNumber min={0} max={1} step={0.001} value={q.aum_value_rate} onChange={(v) => setQ({ ...q, aum_value_rate: v ?? 0 })} />
          <span>{t('effects.basis')}</span>
          <Select
            value={q.benefit_basis}
            style={{ width: 110 }}
            onChange={(v) => setQ({ ...q, benefit_basis: v })}
            options={(['issued', 'redeemed'] as const).map((b) => ({ value: b, label: t(`effects.basis.${b}`) }))}
          />
        </Space>
      </Card>
      {eff.error !== undefined && <ErrorAlert error={eff.error} onRetry={eff.reload} />}
      {eff.data && <EffectView data={eff.data} strategyId={id} onCostAdded={eff.reload} />}
      {eff.data && <GoalsCard strategyId={id} q={q} />}
      {eff.data && <AttributionCard strategyId={id} valuePerConversion={q.value_per_conversion ?? 0} />}
    </>
  );
}

function Notes({ notes }: { notes: string[] }) {
  const { t } = useI18n();
  if (!notes.length) return null;
  const serious = new Set(['no_holdout', 'srm', 'sample_too_small']);
  return (
    <Card size="small" title={t('effects.notes')} style={{ marginBottom: 12 }} data-testid="effects-notes">
      {notes.map((n) => (
        <Alert key={n} type={serious.has(n) ? 'warning' : 'info'} showIcon message={tk(t, `effects.note.${n}`)} style={{ marginBottom: 6 }} />
      ))}
    </Card>
  );
}

function FunnelTable({ groups, keyTitle }: { groups: FunnelGroup[]; keyTitle?: string }) {
  const { t } = useI18n();
  const stages = groups[0]?.stages.map((s) => s.stage) ?? [];
  return (
    <Table
      size="small"
      pagination={false}
      rowKey={(g) => String(g.key)}
      dataSource={groups}
      columns={[
        ...(keyTitle ? [{ title: keyTitle, key: 'k', render: (_: unknown, g: FunnelGroup) => g.key ?? t('effects.funnel.none') }] : []),
        ...stages.map((st) => ({
          title: tk(t, `effects.stage.${st}`),
          key: st,
          align: 'right' as const,
          render: (_: unknown, g: FunnelGroup) => {
            const counts = g.stages.map((s) => s.count);
            const i = g.stages.findIndex((s) => s.stage === st);
            const rate = stepRates(counts)[i];
            return i < 0 ? '—' : `${counts[i].toLocaleString()}${rate === null || rate === undefined ? '' : ` (${fractionPct(rate)})`}`;
          },
        })),
      ]}
    />
  );
}

function MeanRow({ label, m, scale }: { label: string; m: MeanTest | null; scale: number }) {
  const { t } = useI18n();
  if (!m) return null;
  const times = (v: number | null) => (v === null ? null : v * scale);
  return (
    <Descriptions.Item label={label}>
      {withInterval(m.difference, m.ci_lower, m.ci_upper, (v) => signedAmount(v))} · {t('effects.pValue')} {pValue(m.p_value)}
      {' · '}
      {t('effects.aum.total')} {withInterval(times(m.difference), times(m.ci_lower), times(m.ci_upper), (v) => signedAmount(v))}
    </Descriptions.Item>
  );
}

function EffectView({ data, strategyId, onCostAdded }: { data: StrategyEffect; strategyId: number; onCostAdded: () => void }) {
  const { t } = useI18n();
  const { lift, aum, costs, roi, funnel } = data;
  const test = lift.test;
  return (
    <>
      <Notes notes={data.notes} />
      <Card size="small" title={t('effects.funnel')} style={{ marginBottom: 12 }}>
        <Tabs
          items={[
            { key: 'all', label: t('effects.funnel.overall'), children: <FunnelTable groups={[{ key: null, stages: funnel.stages }]} /> },
            { key: 'ch', label: t('effects.funnel.byChannel'), children: <FunnelTable groups={funnel.by_channel} keyTitle={t('effects.funnel.key')} /> },
            { key: 'var', label: t('effects.funnel.byVariant'), children: <FunnelTable groups={funnel.by_variant} keyTitle={t('effects.funnel.key')} /> },
            { key: 'org', label: t('effects.funnel.byBranch'), children: <FunnelTable groups={funnel.by_branch} keyTitle={t('effects.funnel.key')} /> },
          ]}
        />
        {Object.keys(funnel.suppressed).length > 0 && (
          <div style={{ marginTop: 8 }}>
            {t('effects.suppressed')}：
            {Object.entries(funnel.suppressed).map(([r, n]) => (
              <Tag key={r}>{`${tk(t, `policy.reason.${r}`) === `policy.reason.${r}` ? r : tk(t, `policy.reason.${r}`)} ${n}`}</Tag>
            ))}
          </div>
        )}
      </Card>
      <Row gutter={12}>
        <Col xs={24} lg={12}>
          <Card size="small" title={`${t('effects.lift')} · ${tk(t, `effects.control.${lift.control}`)}`} style={{ marginBottom: 12 }}>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('effects.arm.treated')}>
                {lift.treated.customers.toLocaleString()} / {lift.treated.conversions.toLocaleString()} · {fractionPct(test?.rate_treatment)}
              </Descriptions.Item>
              {lift.reference && (
                <Descriptions.Item label={t('effects.arm.control')}>
                  {lift.reference.customers.toLocaleString()} / {lift.reference.conversions.toLocaleString()} · {fractionPct(test?.rate_control)}
                </Descriptions.Item>
              )}
              {test && (
                <>
                  <Descriptions.Item label={t('effects.difference')}>
                    <span style={{ fontWeight: significant(test.ci_lower, test.ci_upper) ? 600 : 400 }}>
                      {withInterval(test.difference, test.ci_lower, test.ci_upper, signedPct)}
                    </span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('effects.relativeLift')}>
                    {withInterval(test.lift, test.lift_lower, test.lift_upper, signedPct)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('effects.pValue')}>{pValue(test.p_value)}</Descriptions.Item>
                  <Descriptions.Item label={t('effects.incrementalConversions')}>
                    {withInterval(lift.incremental_conversions, lift.incremental_lower, lift.incremental_upper, (v) => signedAmount(v, 1))}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('effects.mde')}>{lift.mde_relative === null ? '—' : signedPct(lift.mde_relative)}</Descriptions.Item>
                </>
              )}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('effects.aum')} style={{ marginBottom: 12 }}>
            <div style={{ marginBottom: 8, color: '#888' }}>{t('effects.aum.hint', { days: aum.window_days })}</div>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('effects.aum.covered')}>{aum.customers_with_aum.toLocaleString()}</Descriptions.Item>
              <MeanRow label={t('effects.aum.plain')} m={aum.unadjusted} scale={lift.treated.customers} />
              <MeanRow label={t('effects.aum.cuped')} m={aum.cuped} scale={lift.treated.customers} />
              {aum.before_after !== null && (
                <Descriptions.Item label={t('effects.aum.beforeAfter')}>{signedAmount(aum.before_after)}</Descriptions.Item>
              )}
            </Descriptions>
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('effects.costs')} style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={2} bordered>
          <Descriptions.Item label={t('effects.cost.messages')}>
            {Object.entries(costs.messages).map(([ch, v]) => `${ch} ${formatMoney(v)}`).join('，') || '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('effects.cost.benefits')}>
            {Object.entries(costs.benefits).map(([k, v]) => `${k} ${formatMoney(v)}`).join('，') || '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('effects.cost.fixed')}>{formatMoney(costs.fixed)}</Descriptions.Item>
          <Descriptions.Item label={t('effects.cost.total')}>{formatMoney(costs.total)}</Descriptions.Item>
          <Descriptions.Item label={t('effects.incrementalValue')}>{roi.incremental_value === null ? '—' : signedAmount(roi.incremental_value, 2)}</Descriptions.Item>
          <Descriptions.Item label={t('effects.roi')}>{withInterval(roi.roi, roi.lower, roi.upper, (v) => v.toFixed(2))}</Descriptions.Item>
          <Descriptions.Item label={t('effects.costPerConversion')}>
            {roi.cost_per_incremental_conversion === null ? '—' : formatMoney(roi.cost_per_incremental_conversion)}
          </Descriptions.Item>
        </Descriptions>
        <FixedCostForm strategyId={strategyId} onAdded={onCostAdded} />
      </Card>
      {data.daily.length > 0 && (
        <Card size="small" title={t('effects.daily')}>
          <Table
            size="small"
            rowKey="day"
            pagination={{ pageSize: 10 }}
            dataSource={data.daily}
            columns={[
              { title: t('effects.daily.day'), dataIndex: 'day' },
              { title: t('effects.arm.treated'), key: 't', align: 'right', render: (_, r) => `${r.treated} · ${fractionPct(r.treated_rate)}` },
              { title: t('effects.arm.control'), key: 'c', align: 'right', render: (_, r) => `${r.control} · ${fractionPct(r.control_rate)}` },
              { title: t('effects.difference'), key: 'd', align: 'right', render: (_, r) => (r.difference === null ? '—' : signedPct(r.difference)) },
            ]}
          />
        </Card>
      )}
    </>
  );
}

function FixedCostForm({ strategyId, onAdded }: { strategyId: number; onAdded: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ amount: number; note: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { amount: number; note: string }) => {
    setBusy(true);
    try {
      await effectsApi.addFixedCost({ strategy_id: strategyId, amount: v.amount, note: v.note });
      message.success(t('effects.fixed.saved'));
      form.resetFields();
      onAdded();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="inline" onFinish={submit} style={{ marginTop: 12 }}>
      <Form.Item name="amount" label={t('effects.fixed.amount')} rules={[{ required: true }]}>
        <InputNumber min={0.01} />
      </Form.Item>
      <Form.Item name="note" label={t('effects.fixed.note')} rules={[{ required: true, max: 200 }]}>
        <Input style={{ width: 220 }} />
      </Form.Item>
      <Button htmlType="submit" loading={busy}>{t('effects.fixed.add')}</Button>
    </Form>
  );
}
