import { Button, Card, DatePicker, Empty, Form, Input, InputNumber, Popconfirm, Progress, Select, Space, Table, Tag, message } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { EChart } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { errorMessage } from '../../api/errors';
import { useI18n } from '../../i18n';
import { GOAL_METRICS, effects2Api, type GoalMetric, type GoalProgress, type GoalQuery } from './api2';
import { goalValue, progressPercent, seriesPoints } from './goalFormat';

/** 目标跟踪: the strategy's stated targets against what was achieved (scoped), with the series by entry day. */
export function GoalsCard({ strategyId, q }: { strategyId: number; q: GoalQuery }) {
  const { t } = useI18n();
  const goals = useApi((signal) => effects2Api.goals(strategyId, q, signal), [strategyId, q.window_days, q.value_per_conversion, q.aum_value_rate], { keepPrevious: true });
  const remove = async (id: number) => {
    try {
      await effects2Api.deleteGoal(id);
      goals.reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };
  return (
    <Card size="small" title={t('effects2.goals')} style={{ marginBottom: 12 }} data-testid="effects-goals">
      <div style={{ marginBottom: 8, color: '#888' }}>{t('effects2.goals.hint')}</div>
      {goals.error !== undefined && <ErrorAlert error={goals.error} onRetry={goals.reload} />}
      {goals.data && goals.data.length === 0 && <Empty description={t('effects2.goals.none')} />}
      {goals.data && goals.data.length > 0 && (
        <Table<GoalProgress>
          size="small"
          rowKey={(g) => g.goal.id}
          pagination={false}
          dataSource={goals.data}
          expandable={{ expandedRowRender: (g) => <GoalChart g={g} />, rowExpandable: (g) => g.series.length > 0 }}
          columns={[
            { title: t('effects2.goal.name'), key: 'n', render: (_, g) => g.goal.name },
            { title: t('effects2.goal.metric'), key: 'm', render: (_, g) => t(`effects2.metric.${g.goal.metric}`) },
            { title: t('effects2.goal.period'), key: 'p', render: (_, g) => `${g.goal.period_from} ~ ${g.goal.period_to}` },
            { title: t('effects2.goal.target'), key: 't', align: 'right', render: (_, g) => goalValue(g.goal.metric, g.goal.target) },
            {
              title: t('effects2.goal.achieved'),
              key: 'a',
              align: 'right',
              render: (_, g) =>
                g.lower !== null && g.upper !== null
                  ? `${goalValue(g.goal.metric, g.achieved)} [${goalValue(g.goal.metric, g.lower)}, ${goalValue(g.goal.metric, g.upper)}]`
                  : goalValue(g.goal.metric, g.achieved),
            },
            {
              title: t('effects2.goal.progress'),
              key: 'pr',
              width: 180,
              render: (_, g) => {
                const pct = progressPercent(g.share);
                return pct === null ? '—' : <Progress percent={pct} size="small" status={g.met ? 'success' : 'active'} />;
              },
            },
            {
              title: t('effects2.goal.status'),
              key: 's',
              render: (_, g) => (g.met === null ? <Tag>{t('effects2.goal.pending')}</Tag> : g.met ? <Tag color="green">{t('effects2.goal.met')}</Tag> : <Tag color="orange">{t('effects2.goal.notMet')}</Tag>),
            },
            {
              title: '',
              key: 'x',
              render: (_, g) => (
                <Popconfirm title={t('effects2.goal.deleteConfirm')} onConfirm={() => remove(g.goal.id)}>
                  <Button size="small" type="link" danger>{t('effects2.goal.delete')}</Button>
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
      <GoalForm strategyId={strategyId} onAdded={goals.reload} />
    </Card>
  );
}

function GoalChart({ g }: { g: GoalProgress }) {
  const { t } = useI18n();
  const points = seriesPoints(g.series);
  return (
    <EChart
      height={220}
      testId="goal-series"
      option={{
        tooltip: { trigger: 'axis' },
        legend: { data: [t('effects2.goal.achieved'), t('effects2.goal.target')] },
        grid: { left: 60, right: 20, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: points.map((p) => p[0]), name: t('effects2.goal.entryDay') },
        yAxis: { type: 'value' },
        series: [
          { type: 'line', name: t('effects2.goal.achieved'), data: points.map((p) => p[1]), connectNulls: false },
          { type: 'line', name: t('effects2.goal.target'), data: points.map(() => g.goal.target), lineStyle: { type: 'dashed' }, symbol: 'none' },
        ],
      }}
    />
  );
}

interface GoalFormValues {
  name: string;
  metric: GoalMetric;
  target: number;
  period: [Dayjs, Dayjs];
}

function GoalForm({ strategyId, onAdded }: { strategyId: number; onAdded: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<GoalFormValues>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: GoalFormValues) => {
    setBusy(true);
    try {
      await effects2Api.addGoal({
        strategy_ids: [strategyId],
        metric: v.metric,
        target: v.target,
        name: v.name,
        period_from: v.period[0].format('YYYY-MM-DD'),
        period_to: v.period[1].format('YYYY-MM-DD'),
      });
      message.success(t('effects2.goal.saved'));
      form.resetFields();
      onAdded();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="inline" onFinish={submit} style={{ marginTop: 12 }} initialValues={{ metric: 'conversion_lift_pct', period: [dayjs().startOf('month'), dayjs().endOf('month')] }}>
      <Form.Item name="name" label={t('effects2.goal.name')} rules={[{ required: true, max: 100 }]}>
        <Input style={{ width: 180 }} placeholder={t('effects2.goal.namePlaceholder')} />
      </Form.Item>
      <Form.Item name="metric" label={t('effects2.goal.metric')} rules={[{ required: true }]}>
        <Select style={{ width: 160 }} options={GOAL_METRICS.map((m) => ({ value: m, label: t(`effects2.metric.${m}`) }))} />
      </Form.Item>
      <Form.Item name="target" label={t('effects2.goal.target')} rules={[{ required: true }]}>
        <InputNumber style={{ width: 130 }} />
      </Form.Item>
      <Form.Item name="period" label={t('effects2.goal.period')} rules={[{ required: true }]}>
        <DatePicker.RangePicker allowClear={false} />
      </Form.Item>
      <Space>
        <Button htmlType="submit" loading={busy}>{t('effects2.goal.add')}</Button>
      </Space>
    </Form>
  );
}
