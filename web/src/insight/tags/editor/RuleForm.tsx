/** The rule part of the tag editor: one form per rule kind, built from the segment builder's and analytics' pickers. */
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Input, InputNumber, Segmented, Select, Space, Typography } from 'antd';
import type {
  AggregateRule,
  AttributeRule,
  Band,
  LifecycleRule,
  ModelRule,
  ImportedRule,
  RfmRule,
  RuleRule,
  TagAgg,
  TagRule,
  TimingRule,
} from '../../../api/insight';
import { AttributePicker } from '../../../analytics/common';
import { useI18n, type MessageKey } from '../../../i18n';
import { ConditionTree, EventSelect, FiltersEditor, type EditorContext } from '../../segments/ConditionEditor';
import { eventProperties } from '../../segments/properties';
import { propertyLabel } from '../../segments/labels';
import { AGGS, LIFECYCLE_STAGES, NUMBER_RESULT_AGGS, NUMERIC_AGGS, asGroup } from './rules';
import { BandsEditor, MappingEditor, Row, WindowInput, type FieldErrors } from './parts';

interface FormProps<R extends TagRule> {
  rule: R;
  onChange: (rule: R) => void;
  errors: FieldErrors;
  ctx: EditorContext;
}

/** Two empty bands to start from (the user types labels and the limit between them). */
const START_BANDS: Band[] = [
  { label: '', lt: null },
  { label: '', lt: null },
];


/** The form of the rule's kind. */
export function RuleForm({ rule, onChange, errors, ctx }: FormProps<TagRule>) {
  const set = onChange as never;
  switch (rule.kind) {
    case 'attribute':
      return <AttributeForm rule={rule} onChange={set} errors={errors} ctx={ctx} />;
    case 'aggregate':
      return <AggregateForm rule={rule} onChange={set} errors={errors} ctx={ctx} />;
    case 'rfm':
      return <RfmForm rule={rule} onChange={set} errors={errors} ctx={ctx} />;
    case 'lifecycle':
    case 'rule':
      return <CasesForm rule={rule} onChange={set} errors={errors} ctx={ctx} />;
    case 'timing':
      return <TimingForm rule={rule} onChange={set} errors={errors} ctx={ctx} />;
    case 'model':
    case 'imported':
      return <WrittenForm rule={rule} onChange={set} errors={errors} ctx={ctx} />;
  }
}

function AttributeForm({ rule, onChange, errors, ctx }: FormProps<AttributeRule>) {
  const { t } = useI18n();
  const info = ctx.catalogue.attributes.find((a) => a.key === rule.field);
  const mode = rule.bands ? 'bands' : rule.mapping ? 'mapping' : 'raw';
  return (
    <>
      <Row field="field" label={t('tagEditor.attr.field')} errors={errors}>
        <AttributePicker
          value={rule.field || undefined}
          onChange={(field) => onChange({ ...rule, field: field ?? '', mapping: rule.mapping ? {} : null })}
          catalogue={ctx.catalogue}
          keys={ctx.catalogue.attributes.map((a) => a.key)}
          allowClear={false}
          placeholder={t('tagEditor.attr.pick')}
          width={240}
          testId="tag-attr-field"
        />
      </Row>
      <Row field="mode" label={t('tagEditor.output')} errors={errors}>
        <Segmented
          value={mode}
          options={[
            { value: 'raw', label: t('tagEditor.output.raw') },
            { value: 'bands', label: t('tagEditor.output.bands'), disabled: info !== undefined && info.type !== 'number' },
            { value: 'mapping', label: t('tagEditor.output.mapping') },
          ]}
          onChange={(m) =>
            onChange({ ...rule, bands: m === 'bands' ? START_BANDS : null, mapping: m === 'mapping' ? {} : null })
          }
          data-testid="tag-attr-mode"
        />
      </Row>
      {rule.bands && (
        <Row field="bands" label={t('tagEditor.bands')} errors={errors} extra={t('tagEditor.bands.hint')}>
          <BandsEditor bands={rule.bands} onChange={(bands) => onChange({ ...rule, bands })} />
        </Row>
      )}
      {rule.mapping && (
        <Row field="mapping" label={t('tagEditor.mapping')} errors={errors} extra={t('tagEditor.mapping.hint')}>
          <MappingEditor mapping={rule.mapping} known={info?.values} onChange={(mapping) => onChange({ ...rule, mapping })} />
        </Row>
      )}
    </>
  );
}

/** Source (events or transactions) and the event / transaction type, shared by aggregates and RFM. */
function SourceRows({ rule, onChange, errors, ctx }: FormProps<AggregateRule | RfmRule>) {
  const { t } = useI18n();
  return (
    <>
      <Row field="source" label={t('tagEditor.source')} errors={errors}>
        <Segmented
          value={rule.source}
          options={[
            { value: 'events', label: t('seg.source.events') },
            { value: 'transactions', label: t('seg.source.transactions') },
          ]}
          onChange={(source) =>
            onChange({ ...rule, source, event: null, filters: [], property: source === 'transactions' ? 'amount' : rule.kind === 'rfm' ? '' : null } as never)
          }
          data-testid="tag-source"
        />
      </Row>
      <Row field="event" label={rule.source === 'events' ? t('tagEditor.event') : t('tagEditor.txType')} errors={errors}>
        <EventSelect
          value={rule.event}
          source={rule.source}
          ctx={ctx}
          width={260}
          allowClear
          placeholder={rule.source === 'events' ? t('tagEditor.anyEvent') : t('tagEditor.anyTxType')}
          testId="tag-event"
          onChange={(event) => onChange({ ...rule, event: event || null, filters: [] } as never)}
        />
      </Row>
    </>
  );
}

function AggregateForm({ rule, onChange, errors, ctx }: FormProps<AggregateRule>) {
  const { t, lang } = useI18n();
  const props = eventProperties(ctx.catalogue, rule.source, rule.event);
  const choices = NUMERIC_AGGS.has(rule.agg) ? props.filter((p) => p.type === 'number') : props.filter((p) => p.key !== '$date');
  const bandable = NUMBER_RESULT_AGGS.has(rule.agg);
  return (
    <>
      <SourceRows rule={rule} onChange={onChange as never} errors={errors} ctx={ctx} />
      <Row field="agg" also={['property']} label={t('tagEditor.agg')} errors={errors}>
        <Space wrap>
          <span data-testid="tag-agg">
            <Select
              value={rule.agg}
              style={{ width: 160 }}
              options={AGGS.map((a) => ({ value: a, label: t(`tagEditor.agg.${a}` as MessageKey) }))}
              onChange={(agg: TagAgg) => {
                const keep = rule.property && (!NUMERIC_AGGS.has(agg) || props.find((p) => p.key === rule.property)?.type === 'number');
                onChange({ ...rule, agg, property: agg === 'count' ? null : keep ? rule.property : null, bands: NUMBER_RESULT_AGGS.has(agg) ? rule.bands : null });
              }}
            />
          </span>
          {rule.agg !== 'count' && (
            <span data-testid="tag-property">
              <Select
                value={rule.property || undefined}
                placeholder={['first', 'last'].includes(rule.agg) ? t('tagEditor.property.time') : t('seg.pickProperty')}
                allowClear={['first', 'last'].includes(rule.agg)}
                status={errors.property ? 'error' : undefined}
                style={{ width: 220 }}
                showSearch
                optionFilterProp="label"
                options={choices.map((p) => ({ value: p.key, label: propertyLabel(lang, p), title: `${propertyLabel(lang, p)} · ${p.key}` }))}
                onChange={(property?: string) => onChange({ ...rule, property: property ?? null })}
              />
            </span>
          )}
        </Space>
      </Row>
      <Row field="filters" label={t('tagEditor.filters')} errors={errors}>
        <FiltersEditor filters={rule.filters} properties={props} onChange={(filters) => onChange({ ...rule, filters })} ctx={ctx} id="tag" />
      </Row>
      <Row field="window" label={t('tagEditor.window')} errors={errors}>
        <WindowInput value={rule.window} onChange={(window) => onChange({ ...rule, window })} />
      </Row>
      <Row field="output" label={t('tagEditor.output')} errors={errors}>
        <Segmented
          value={rule.bands ? 'bands' : 'raw'}
          options={[
            { value: 'raw', label: t('tagEditor.output.raw') },
            { value: 'bands', label: t('tagEditor.output.bands'), disabled: !bandable },
          ]}
          onChange={(m) => onChange({ ...rule, bands: m === 'bands' ? START_BANDS : null })}
          data-testid="tag-output"
        />
      </Row>
      {rule.bands && (
        <Row field="bands" label={t('tagEditor.bands')} errors={errors} extra={t('tagEditor.bands.hint')}>
          <BandsEditor bands={rule.bands} onChange={(bands) => onChange({ ...rule, bands })} />
        </Row>
      )}
    </>
  );
}

function RfmForm({ rule, onChange, errors, ctx }: FormProps<RfmRule>) {
  const { t, lang } = useI18n();
  const props = eventProperties(ctx.catalogue, rule.source, rule.event);
  const threshold = (key: 'recency_days' | 'frequency' | 'monetary', suffix?: string) => (
    <Row field={key} label={t(`tagEditor.rfm.${key}` as MessageKey)} errors={errors}>
      <span data-testid={`tag-rfm-${key}`}>
        <InputNumber
          min={0}
          value={rule[key] ?? null}
          onChange={(v) => onChange({ ...rule, [key]: v ?? null })}
          placeholder={t('tagEditor.rfm.median')}
          suffix={suffix}
          style={{ width: 200 }}
        />
      </span>
    </Row>
  );
  return (
    <>
      <SourceRows rule={rule} onChange={onChange as never} errors={errors} ctx={ctx} />
      <Row field="property" label={t('tagEditor.rfm.property')} errors={errors}>
        <span data-testid="tag-property">
          <Select
            value={rule.property || undefined}
            style={{ width: 220 }}
            placeholder={t('seg.pickProperty')}
            options={props.filter((p) => p.type === 'number').map((p) => ({ value: p.key, label: propertyLabel(lang, p), title: `${propertyLabel(lang, p)} · ${p.key}` }))}
            onChange={(property: string) => onChange({ ...rule, property })}
          />
        </span>
      </Row>
      <Row field="filters" label={t('tagEditor.filters')} errors={errors}>
        <FiltersEditor filters={rule.filters} properties={props} onChange={(filters) => onChange({ ...rule, filters })} ctx={ctx} id="tag" />
      </Row>
      <Row field="window" label={t('tagEditor.window')} errors={errors}>
        <WindowInput value={rule.window} onChange={(window) => onChange({ ...rule, window })} />
      </Row>
      <Typography.Paragraph type="secondary">{t('tagEditor.rfm.hint')}</Typography.Paragraph>
      {threshold('recency_days', t('seg.days'))}
      {threshold('frequency', t('tagEditor.rfm.times'))}
      {threshold('monetary')}
    </>
  );
}

function CasesForm({ rule, onChange, errors, ctx }: FormProps<RuleRule | LifecycleRule>) {
  const { t } = useI18n();
  const lifecycle = rule.kind === 'lifecycle';
  const cases = rule.cases;
  const setCases = (next: typeof cases) => onChange({ ...rule, cases: next });
  const move = (i: number, d: -1 | 1) => {
    const next = [...cases];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    setCases(next);
  };
  const valueInput = (value: string, set: (v: string) => void, testId: string, allowEmpty = false) =>
    lifecycle ? (
      <span data-testid={testId}>
        <Select
          value={value || undefined}
          allowClear={allowEmpty}
          style={{ width: 140 }}
          placeholder={t('tagEditor.cases.stage')}
          options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: s }))}
          onChange={(v?: string) => set(v ?? '')}
        />
      </span>
    ) : (
      <Input value={value} onChange={(e) => set(e.target.value)} placeholder={t('tagEditor.cases.value')} style={{ width: 180 }} data-testid={testId} />
    );
  return (
    <>
      <Typography.Paragraph type="secondary">{t('tagEditor.cases.hint')}</Typography.Paragraph>
      {errors.cases && <Row field="cases" label={null} errors={errors}>{null}</Row>}
      {cases.map((c, i) => (
        <Card
          key={i}
          size="small"
          style={{ marginBottom: 12 }}
          data-testid={`tag-case-${i}`}
          title={
            <Space>
              <Typography.Text type="secondary">{t('tagEditor.cases.nth', { n: i + 1 })}</Typography.Text>
              {valueInput(c.value, (value) => setCases(cases.map((x, j) => (j === i ? { ...x, value } : x))), `tag-case-${i}-value`)}
            </Space>
          }
          extra={
            <Space size={0}>
              <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('tagEditor.up')} />
              <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === cases.length - 1} onClick={() => move(i, 1)} aria-label={t('tagEditor.down')} />
              <Button size="small" type="text" icon={<DeleteOutlined />} disabled={cases.length <= 1} onClick={() => setCases(cases.filter((_, j) => j !== i))} aria-label={t('tagEditor.remove')} />
            </Space>
          }
        >
          <Row field={`cases.${i}`} label={t('tagEditor.cases.when')} errors={errors}>
            <ConditionTree
              value={asGroup(c.when) as never}
              onChange={(when) => setCases(cases.map((x, j) => (j === i ? { ...x, when } : x)))}
              ctx={ctx}
            />
          </Row>
        </Card>
      ))}
      <Button
        icon={<PlusOutlined />}
        onClick={() => setCases([...cases, { value: '', when: { type: 'group', op: 'and', conditions: [] } }])}
        disabled={cases.length >= (lifecycle ? 12 : 30)}
        style={{ marginBottom: 16 }}
        data-testid="tag-case-add"
      >
        {t('tagEditor.cases.add')}
      </Button>
      <Row field="default" label={t('tagEditor.cases.default')} errors={errors} extra={t('tagEditor.cases.defaultHint')}>
        {valueInput(rule.default ?? '', (v) => onChange({ ...rule, default: v || null }), 'tag-case-default', true)}
      </Row>
    </>
  );
}

function TimingForm({ rule, onChange, errors, ctx }: FormProps<TimingRule>) {
  const { t } = useI18n();
  const payday = rule.measure === 'payday';
  return (
    <>
      <Row field="measure" label={t('tagEditor.timing.measure')} errors={errors}>
        <Segmented
          value={rule.measure}
          options={(['payday', 'active_hour', 'active_weekday'] as const).map((m) => ({ value: m, label: t(`tagEditor.timing.${m}` as MessageKey) }))}
          onChange={(measure) => onChange({ ...rule, measure, event: measure === 'payday' ? null : rule.event ?? 'login' })}
          data-testid="tag-timing-measure"
        />
      </Row>
      <Row
        field="event"
        label={payday ? t('tagEditor.txType') : t('tagEditor.event')}
        errors={errors}
        extra={payday ? t('tagEditor.timing.paydayHint') : t('tagEditor.timing.activeHint')}
      >
        <EventSelect
          value={rule.event}
          source={payday ? 'transactions' : 'events'}
          ctx={ctx}
          width={260}
          allowClear
          placeholder={payday ? 'salary' : t('tagEditor.anyEvent')}
          testId="tag-event"
          onChange={(event) => onChange({ ...rule, event: event || null })}
        />
      </Row>
      <Row field="window" label={t('tagEditor.window')} errors={errors}>
        <WindowInput value={rule.window} onChange={(window) => onChange({ ...rule, window })} />
      </Row>
    </>
  );
}

function WrittenForm({ rule, onChange, errors }: FormProps<ModelRule | ImportedRule>) {
  const { t } = useI18n();
  return (
    <>
      {rule.kind === 'model' && (
        <Row field="model" label={t('tagEditor.model.name')} errors={errors}>
          <Input value={rule.model ?? ''} onChange={(e) => onChange({ ...rule, model: e.target.value || null })} style={{ width: 260 }} data-testid="tag-model" />
        </Row>
      )}
      <Row field="value_type" label={t('tags.col.valueType')} errors={errors}>
        <Segmented<string>
          value={rule.value_type}
          options={[
            { value: 'string', label: t('tagEditor.valueType.string') },
            { value: 'number', label: t('tagEditor.valueType.number') },
          ]}
          onChange={(v) => onChange({ ...rule, value_type: v as 'string' | 'number' })}
          data-testid="tag-value-type"
        />
      </Row>
      <Typography.Paragraph type="secondary">{rule.kind === 'model' ? t('tagEditor.model.hint') : t('tagEditor.imported.hint')}</Typography.Paragraph>
    </>
  );
}
