import { LineChartOutlined, PlusOutlined, PushpinOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Popover, Radio, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import type { Catalogue } from '../../api/insight';
import { monitorApi, METRIC_MEASURES, PROPERTY_MEASURES, type MetricDefinition, type MetricGroup, type MetricRead } from '../../api/monitor';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { EventPicker, num, useCatalogue, useEventName } from '../../analytics/common';
import { SaveAnalysisModal } from '../../analytics/saved/SaveAnalysisModal';
import { ANALYTICS_ATTRIBUTES } from '../../api/analytics';
import { attributeLabel } from '../../insight/segments/labels';
import { metricFormField } from './forms';
import { ATTRIBUTE_MEASURES, MAX_DIMENSIONS, METRIC_ATTRIBUTES, editedDefinition, isAttributeMetric, metricDefinition, metricFormValues, type MetricFormValues } from './metricForm';
import { MetricRowActions, MetricStatusSwitch } from './metricActions';
import { MetricTrendDrawer } from './MetricTrendDrawer';
import { metricTrendQuery } from './metricTrend';
import { FormModal, ListTable, ownerColumns, useServerForm } from './scaffold';

type MetricForm = MetricFormValues;

/** `资产余额AUM合计`, `客户数`: what an attribute metric measures. */
function attributeFormula(d: MetricDefinition, t: ReturnType<typeof useI18n>['t']): string {
  const measure = d.attribute_measure ?? 'customers';
  if (measure === 'customers' || !d.attribute) return t('metrics2.formula.customers');
  return t(`metrics2.formula.${measure}`, { attr: t(`metrics2.formula.${d.attribute}`) });
}

/** `求和 (amount)`: what an event metric measures, as one line for its tooltip. */
function eventFormula(d: MetricDefinition, t: ReturnType<typeof useI18n>['t']): string {
  return `${t(`mal.measure.${d.measure}`)}${d.property ? ` (${d.property})` : ''}`;
}

/** Text cut to its cell with an ellipsis; the whole text is the tooltip. */
function Clipped({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  return (
    <Tooltip title={text} placement="topLeft">
      <span className={className} data-testid={testId}>
        {text}
      </span>
    </Tooltip>
  );
}

/** The metric's value for the window before `day` and the change against the window before that. */
function ValueCell({ metric, day }: { metric: MetricRead; day: string }) {
  const { t } = useI18n();
  const v = useApi((signal) => monitorApi.metricValue(metric.id, day, signal), [metric.id, day]);
  if (v.loading) return <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>;
  if (v.error !== undefined || !v.data) {
    return <Typography.Text type="danger">{errorMessage(v.error, t)}</Typography.Text>;
  }
  const { value, previous } = v.data;
  const change = previous ? ((value - previous) / previous) * 100 : null;
  return (
    <span data-testid={`metric-value-${metric.id}`}>
      <span className="mf-num">{num(value)}</span>{' '}
      <Typography.Text type="secondary" className="mf-num">
        ({t('mal.previous')} {num(previous)}
        {change !== null && `, ${change >= 0 ? '+' : ''}${change.toFixed(1)}%`})
      </Typography.Text>
    </span>
  );
}

/** The metric split by one of its dimensions for the window before `day`: the top groups with their previous value. */
function DimensionBreakdown({ metric, index, day }: { metric: MetricRead; index: number; day: string }) {
  const { t } = useI18n();
  const v = useApi((signal) => monitorApi.metricValue(metric.id, day, signal, index), [metric.id, day, index]);
  if (v.error !== undefined) return <Typography.Text type="danger">{errorMessage(v.error, t)}</Typography.Text>;
  return (
    <Table<MetricGroup>
      size="small"
      loading={v.loading}
      pagination={false}
      style={{ width: 360 }}
      rowKey={(g) => String(g.group)}
      dataSource={v.data?.groups ?? []}
      data-testid="metric-breakdown"
      columns={[
        { title: t('metrics2.group'), dataIndex: 'group', render: (g: string | null) => g ?? t('metrics2.noValue') },
        { title: t('mal.currentValue'), dataIndex: 'value', align: 'right', render: (x: number) => <span className="mf-num">{num(x)}</span> },
        { title: t('mal.previous'), dataIndex: 'previous', align: 'right', render: (x: number) => <span className="mf-num">{num(x)}</span> },
      ]}
    />
  );
}

/** 新建指标, or (given `editing`) 编辑指标: the same form, the key fixed once created. */
function CreateMetricModal({
  open,
  catalogue,
  editing,
  onClose,
  onCreated,
}: {
  open: boolean;
  catalogue?: Catalogue;
  editing?: MetricRead;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const state = useServerForm<MetricForm>(
    metricFormField,
    (v) =>
      editing
        ? monitorApi.updateMetric(editing.id, { name: v.name.trim(), definition: editedDefinition(editing.definition, v) })
        : monitorApi.createMetric({
            key: v.key.trim(),
            name: v.name.trim(),
            definition: metricDefinition(v),
          }),
    () => {
      message.success(t(editing ? 'monitor3.saved' : 'mal.metricCreated'));
      onCreated();
    },
  );
  const { form } = state;
  const event = Form.useWatch('event', form);
  const measure = Form.useWatch('measure', form);
  const source = Form.useWatch('source', form) ?? 'event';
  const attributeMeasure = Form.useWatch('attribute_measure', form) ?? 'customers';
  const needsProperty = source === 'event' && !!measure && PROPERTY_MEASURES.includes(measure);
  const eventProps = catalogue?.events.find((e) => e.name === event)?.properties ?? [];
  const numericProps = eventProps.filter((p) => p.type === 'number');
  const propLabel = (p: { key: string; label?: string | null }) => (p.label && p.label !== p.key ? `${p.label} · ${p.key}` : p.key);
  // Customer attributes always; the chosen event's properties only for event metrics.
  const dimensionOptions = [
    { label: t('metrics2.dimensions.attributes'), options: ANALYTICS_ATTRIBUTES.map((a) => ({ value: `attribute:${a}`, label: attributeLabel(lang, a, catalogue) })) },
    ...(source === 'event' && eventProps.length
      ? [{ label: t('metrics2.dimensions.properties'), options: eventProps.map((p) => ({ value: `property:${p.key}`, label: propLabel(p) })) }]
      : []),
  ];

  const required = { required: true, message: t('mal.required') };
  return (
    <FormModal open={open} title={t(editing ? 'monitor3.editMetric' : 'mal.createMetric')} onClose={onClose} state={state} testPrefix="metric">
      <Form<MetricForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={editing ? metricFormValues(editing) : { source: 'event', measure: 'total', attribute_measure: 'customers', days: 1 }}
      >
        <Form.Item name="name" label={t('mal.metricName')} rules={[{ ...required, whitespace: true }]}>
          <Input autoComplete="off" data-testid="metric-name" />
        </Form.Item>
        <Form.Item
          name="key"
          label={t('mal.metricKey')}
          extra={t(editing ? 'monitor3.keyFixed' : 'mal.metricKeyHint')}
          rules={[required, { pattern: /^[a-z][a-z0-9_.]*$/, message: t('mal.metricKeyHint') }, { min: 2, max: 64, message: t('mal.metricKeyHint') }]}
        >
          <Input autoComplete="off" className="mf-mono" data-testid="metric-key" disabled={!!editing} />
        </Form.Item>
        <Form.Item name="source" label={t('metrics2.source')} extra={t(`metrics2.sourceHint.${source}`)}>
          <Radio.Group
            optionType="button"
            data-testid="metric-source"
            onChange={() => form.setFieldValue('dimensions', (form.getFieldValue('dimensions') ?? []).filter((d: string) => d.startsWith('attribute:')))}
            options={(['event', 'attribute'] as const).map((v) => ({ value: v, label: t(`metrics2.source.${v}`) }))}
          />
        </Form.Item>
        {source === 'event' ? (
          <>
            <Form.Item name="event" label={t('mal.event')} rules={[required]}>
              <EventPicker catalogue={catalogue} onChange={() => undefined} testId="metric-event" width={320} />
            </Form.Item>
            <Form.Item name="measure" label={t('mal.measure')} rules={[required]}>
              <Select
                style={{ width: 200 }}
                data-testid="metric-measure"
                options={METRIC_MEASURES.map((m) => ({ value: m, label: t(`mal.measure.${m}`) }))}
              />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item name="attribute_measure" label={t('metrics2.attributeMeasure')} rules={[required]}>
              <Select
                style={{ width: 200 }}
                data-testid="metric-attribute-measure"
                options={ATTRIBUTE_MEASURES.map((m) => ({ value: m, label: t(`metrics2.attributeMeasure.${m}`) }))}
              />
            </Form.Item>
            {attributeMeasure !== 'customers' && (
              <Form.Item name="attribute" label={t('metrics2.attribute')} rules={[required]}>
                <Select
                  style={{ width: 240 }}
                  data-testid="metric-attribute"
                  options={METRIC_ATTRIBUTES.map((a) => ({ value: a, label: t(`metrics2.attr.${a}`) }))}
                />
              </Form.Item>
            )}
          </>
        )}
        {needsProperty && (
          <Form.Item name="property" label={t('mal.property')} rules={[required]} extra={numericProps.length ? undefined : t('mal.noNumericProperty')}>
            <Select
              style={{ width: 200 }}
              data-testid="metric-property"
              options={numericProps.map((p) => ({ value: p.key, label: propLabel(p) }))}
            />
          </Form.Item>
        )}
        <Form.Item name="days" label={t('mal.days')} extra={t('mal.daysHint')} rules={[required]}>
          <InputNumber min={1} max={90} precision={0} data-testid="metric-days" />
        </Form.Item>
        <Form.Item
          name="dimensions"
          label={t('metrics2.dimensions')}
          extra={t('metrics2.dimensionsHint')}
          rules={[{ type: 'array', max: MAX_DIMENSIONS, message: t('metrics2.dimensionsHint') }]}
        >
          <Select mode="multiple" allowClear style={{ width: 420 }} data-testid="metric-dimensions" options={dimensionOptions} optionFilterProp="label" />
        </Form.Item>
      </Form>
    </FormModal>
  );
}

/** 运营监控 · 指标库: metrics as data (an event aggregate over trailing bank days) and their current value. */
export default function MetricsPage() {
  const { t, lang } = useI18n();
  const catalogue = useCatalogue();
  const eventName = useEventName(catalogue.data);
  const metrics = useApi((signal) => monitorApi.metrics(signal), []);
  const [creating, setCreating] = useState(false);
  const [day, setDay] = useState(() => dayjs().format('YYYY-MM-DD'));
  // A metric is reused in dashboards as the 事件分析 of its definition, saved as a rolling 30-day analysis.
  const [pinning, setPinning] = useState<MetricRead>();
  const [editing, setEditing] = useState<MetricRead>();
  const [trend, setTrend] = useState<MetricRead>();
  // The rules watching each metric: a metric in use says so instead of offering a delete that would be refused.
  const rules = useApi((signal) => monitorApi.rules(signal), []);
  // Wide enough for the row's buttons (longer in English).
  const actionsWidth = lang === 'en' ? 330 : 260;

  return (
    <>
      <PageHeader
        title={t('mal.metricsTitle')}
        subtitle={t('mal.metricsSubtitle')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={metrics.reload}>
              {t('common.refresh')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="metric-create">
              {t('mal.createMetric')}
            </Button>
          </>
        }
      />
      <Card variant="borderless" className="mf-card">
        <div style={{ marginBottom: 12 }}>
          <Typography.Text type="secondary">{t('mal.valueDay')} </Typography.Text>
          <DatePicker
            allowClear={false}
            value={dayjs(day)}
            onChange={(d) => d && setDay(d.format('YYYY-MM-DD'))}
            data-testid="metric-day"
          />{' '}
          <Typography.Text type="secondary">{t('mal.valueDayHint')}</Typography.Text>
        </div>
        <ListTable<MetricRead>
          list={metrics}
          testId="metric-table"
          rowAttrs={(m) => ({ 'data-testid': `metric-row-${m.id}` })}
          // The widths' sum: at 1366 px everything up to the current value fits, 操作 stays pinned right and the
          // owner columns are a short scroll away, instead of squeezed names and cut-off actions.
          scrollX={140 + 180 + 100 + 140 + 100 + 70 + 170 + 90 + 90 + 170 + actionsWidth}
          columns={[
            {
              title: t('mal.metricName'),
              dataIndex: 'name',
              width: 140,
              fixed: 'left',
              ellipsis: { showTitle: false },
              // The name opens the metric's trend.
              render: (v: string, m) => (
                <a onClick={() => setTrend(m)} data-testid={`metric-open-${m.id}`}>
                  <Clipped text={v} />
                </a>
              ),
            },
            {
              title: t('mal.metricKey'),
              dataIndex: 'key',
              width: 180,
              ellipsis: { showTitle: false },
              render: (v: string) => <Clipped text={v} className="mf-mono" />,
            },
            {
              title: t('mal.event'),
              key: 'event',
              width: 100,
              ellipsis: { showTitle: false },
              render: (_: unknown, m) =>
                isAttributeMetric(m.definition) ? <Tag color="purple">{t('metrics2.attributeTag')}</Tag> : <Clipped text={eventName(m.definition.event?.event ?? '')} />,
            },
            {
              title: t('mal.measure'),
              key: 'measure',
              width: 140,
              ellipsis: { showTitle: false },
              render: (_: unknown, m) =>
                isAttributeMetric(m.definition) ? (
                  <Clipped text={attributeFormula(m.definition, t)} testId={`metric-formula-${m.id}`} />
                ) : (
                  <Tooltip title={eventFormula(m.definition, t)} placement="topLeft">
                    <span>
                      {t(`mal.measure.${m.definition.measure}`)}
                      {m.definition.property && <span className="mf-mono"> ({m.definition.property})</span>}
                    </span>
                  </Tooltip>
                ),
            },
            {
              title: t('metrics2.dimensions'),
              key: 'dimensions',
              width: 100,
              render: (_: unknown, m) =>
                m.definition.dimensions?.length ? (
                  <Space size={[0, 4]} wrap data-testid={`metric-dimensions-${m.id}`}>
                    {m.definition.dimensions.map((d, i) => (
                      // Clicking a dimension shows the metric split by it for the chosen day.
                      <Popover
                        key={`${d.kind}:${d.name}`}
                        trigger="click"
                        destroyOnHidden
                        title={t('metrics2.breakdownTitle', { day })}
                        content={<DimensionBreakdown metric={m} index={i} day={day} />}
                      >
                        <Tag style={{ cursor: 'pointer' }} data-testid={`metric-dim-${m.id}-${i}`}>
                          {d.kind === 'attribute' ? attributeLabel(lang, d.name, catalogue.data) : d.name}
                        </Tag>
                      </Popover>
                    ))}
                  </Space>
                ) : (
                  t('metrics2.noDimensions')
                ),
            },
            { title: t('mal.days'), key: 'days', width: 70, align: 'right', render: (_: unknown, m) => <Tag>{t('mal.daysN', { n: m.definition.days })}</Tag> },
            { title: t('mal.currentValue'), key: 'value', width: 170, align: 'right', render: (_: unknown, m) => <ValueCell metric={m} day={day} /> },
            {
              title: t('monitor3.status'),
              key: 'enabled',
              width: 90,
              render: (_: unknown, m) => <MetricStatusSwitch metric={m} onChanged={metrics.reload} />,
            },
            ...ownerColumns<MetricRead>(t).map((c, i) => ({ ...c, width: i === 0 ? 90 : 170 })),
            {
              title: t('common.actions'),
              key: 'actions',
              width: actionsWidth,
              fixed: 'right',
              render: (_: unknown, m) => (
                <Space size={0}>
                  <Button size="small" type="link" icon={<LineChartOutlined />} onClick={() => setTrend(m)} data-testid={`metric-trend-${m.id}`}>
                    {t('monitor3.trend')}
                  </Button>
                  {/* A dashboard pin is the metric's 事件分析; an attribute metric has no event to analyse. */}
                  {!isAttributeMetric(m.definition) && (
                    <Button size="small" type="link" icon={<PushpinOutlined />} onClick={() => setPinning(m)} data-testid={`metric-pin-${m.id}`}>
                      {t('metricPin.button')}
                    </Button>
                  )}
                  <MetricRowActions
                    metric={m}
                    rules={(rules.data ?? []).filter((r) => r.metric_id === m.id)}
                    onEdit={() => setEditing(m)}
                    onDeleted={metrics.reload}
                  />
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {pinning && (
        <SaveAnalysisModal
          model="trends"
          query={metricTrendQuery(pinning, dayjs().format('YYYY-MM-DD'))}
          defaultName={t('metricPin.name', { name: pinning.name })}
          onClose={() => setPinning(undefined)}
        />
      )}
      {trend && <MetricTrendDrawer metric={trend} day={day} onClose={() => setTrend(undefined)} />}
      <CreateMetricModal
        key={editing ? `edit-${editing.id}` : 'create'}
        open={creating || !!editing}
        editing={editing}
        catalogue={catalogue.data}
        onClose={() => {
          setCreating(false);
          setEditing(undefined);
        }}
        onCreated={() => {
          setCreating(false);
          setEditing(undefined);
          metrics.reload();
        }}
      />
    </>
  );
}
