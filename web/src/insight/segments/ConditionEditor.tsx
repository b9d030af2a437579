import { CloseOutlined, DownOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Dropdown, InputNumber, Segmented, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import type {
  AttributeCondition,
  BehaviourCondition,
  Catalogue,
  Condition,
  ConditionKind,
  CountOp,
  FieldInfo,
  GroupCondition,
  HoldingCondition,
  ListCondition,
  ListRead,
  Measure,
  Op,
  PropertyFilter,
  SegmentCondition,
  SegmentRead,
  SequenceCondition,
  TagCondition,
  Value,
} from '../../api/insight';
import { useI18n, type MessageKey } from '../../i18n';
import { ValueInput } from '../../common/ValueInput';
import type { ValueSuggest } from '../../common/fieldValues';
import { BoolSelect, LastDaysInput, NumberOrRange, OpSelect, usePropertyLabel, Wrap } from './conditionFields';
import { attributeLabel, eventLabel } from './labels';
import { eventProperties as catalogueEventProperties } from './properties';
import {
  LEAF_KINDS,
  newCondition,
  removeAt as removeNode,
  toggleNot,
  updateAt as update,
  valueForOp,
  type Path,
} from './tree';

export interface EditorContext {
  catalogue: Catalogue;
  segments: SegmentRead[];
  lists: ListRead[];
  /** The segment being edited (it may not refer to itself). */
  selfId?: number;
  readOnly: boolean;
}

interface Handlers {
  edit: (path: Path, fn: (node: Condition) => Condition) => void;
  remove: (path: Path) => void;
  append: (groupPath: Path, child: Condition) => void;
}

const COUNT_OPS: CountOp[] = ['gte', 'gt', 'eq', 'neq', 'lte', 'lt', 'between'];
const MEASURES: Measure[] = ['count', 'sum', 'avg', 'min', 'max', 'distinct'];
const ADD_KINDS: ConditionKind[] = [...LEAF_KINDS, 'group'];

const pathId = (path: Path) => (path.length ? path.join('.') : 'root');

/** The condition tree of a segment, edited in place: nested AND/OR groups, NOT, and every condition kind. */
export function ConditionTree({
  value,
  onChange,
  ctx,
}: {
  value: GroupCondition;
  onChange: (next: Condition) => void;
  ctx: EditorContext;
}) {
  const handlers: Handlers = {
    edit: (path, fn) => onChange(update(value, path, fn)),
    remove: (path) => onChange(removeNode(value, path)),
    append: (groupPath, child) =>
      onChange(update(value, groupPath, (g) => (g.type === 'group' ? { ...g, conditions: [...g.conditions, child] } : g))),
  };
  return <GroupView node={value} path={[]} ctx={ctx} h={handlers} />;
}


function AddConditionMenu({ path, ctx, h }: { path: Path; ctx: EditorContext; h: Handlers }) {
  const { t } = useI18n();
  const suffix = path.length ? `-in-${pathId(path)}` : '';
  const items: MenuProps['items'] = ADD_KINDS.map((kind) => ({
    key: kind,
    label: <span data-testid={`add-condition-${kind}${suffix}`}>{t(`seg.kind.${kind}` as MessageKey)}</span>,
  }));
  return (
    <Dropdown
      trigger={['click']}
      destroyOnHidden
      menu={{ items, onClick: ({ key }) => h.append(path, newCondition(key as ConditionKind, ctx.catalogue)) }}
    >
      <Button size="small" type="dashed" icon={<PlusOutlined />} data-testid={`add-condition${suffix}`}>
        {t('seg.addCondition')} <DownOutlined />
      </Button>
    </Dropdown>
  );
}

function GroupView({ node, path, ctx, h }: { node: GroupCondition; path: Path; ctx: EditorContext; h: Handlers }) {
  const { t } = useI18n();
  const isRoot = path.length === 0;
  return (
    <div className={`mf-cond-group ${node.op === 'or' ? 'mf-cond-or' : 'mf-cond-and'}`} data-testid={`cond-group-${pathId(path)}`}>
      <div className="mf-cond-group-head">
        <Segmented
          size="small"
          value={node.op}
          disabled={ctx.readOnly}
          options={[
            { value: 'and', label: t('seg.and') },
            { value: 'or', label: t('seg.or') },
          ]}
          onChange={(op) => h.edit(path, (g) => (g.type === 'group' ? { ...g, op: op as 'and' | 'or' } : g))}
          data-testid={`group-op-${pathId(path)}`}
        />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {node.op === 'and' ? t('seg.andHint') : t('seg.orHint')}
        </Typography.Text>
      </div>
      {node.conditions.length === 0 && (
        <Typography.Text type="secondary" className="mf-cond-empty">
          {isRoot ? t('seg.emptyRoot') : t('seg.emptyGroup')}
        </Typography.Text>
      )}
      {node.conditions.map((child, i) => (
        <ChildRow key={i} node={child} path={[...path, i]} ctx={ctx} h={h} />
      ))}
      {!ctx.readOnly && (
        <div className="mf-cond-group-foot">
          <AddConditionMenu path={path} ctx={ctx} h={h} />
        </div>
      )}
    </div>
  );
}

/** A child of a group: a NOT switch, the condition, and a delete button. */
function ChildRow({ node, path, ctx, h }: { node: Condition; path: Path; ctx: EditorContext; h: Handlers }) {
  const { t } = useI18n();
  const negated = node.type === 'not';
  const inner = negated ? node.condition : node;
  const innerPath: Path = negated ? [...path, 'not'] : path;
  return (
    <div className="mf-cond-row" data-testid={`cond-${pathId(path)}`}>
      <div className="mf-cond-row-tools">
        <Tooltip title={t('seg.notHint')}>
          <Button
            size="small"
            type={negated ? 'primary' : 'default'}
            danger={negated}
            disabled={ctx.readOnly}
            onClick={() => h.edit(path, toggleNot)}
            data-testid={`cond-not-${pathId(path)}`}
          >
            {t('seg.not')}
          </Button>
        </Tooltip>
      </div>
      <div className="mf-cond-row-body">
        {inner.type === 'group' ? (
          <GroupView node={inner} path={innerPath} ctx={ctx} h={h} />
        ) : inner.type === 'not' ? (
          <ChildRow node={inner.condition} path={[...innerPath, 'not']} ctx={ctx} h={h} />
        ) : (
          <div className="mf-cond-leaf">
            <Tag className="mf-cond-kind">{t(`seg.kind.${inner.type}` as MessageKey)}</Tag>
            <LeafEditor node={inner} path={innerPath} ctx={ctx} h={h} />
          </div>
        )}
      </div>
      {!ctx.readOnly && (
        <Button
          size="small"
          type="text"
          icon={<CloseOutlined />}
          aria-label={t('seg.remove')}
          onClick={() => h.remove(path)}
          data-testid={`cond-remove-${pathId(path)}`}
        />
      )}
    </div>
  );
}

function LeafEditor({ node, path, ctx, h }: { node: Condition; path: Path; ctx: EditorContext; h: Handlers }) {
  const set = <T extends Condition>(patch: Partial<T>) => h.edit(path, (n) => ({ ...n, ...patch }) as Condition);
  const id = pathId(path);
  switch (node.type) {
    case 'attribute':
      return <AttributeEditor node={node} id={id} ctx={ctx} set={set} />;
    case 'tag':
      return <TagEditor node={node} id={id} ctx={ctx} set={set} />;
    case 'behaviour':
      return <BehaviourEditor node={node} id={id} ctx={ctx} set={set} />;
    case 'sequence':
      return <SequenceEditor node={node} id={id} ctx={ctx} set={set} />;
    case 'holding':
      return <HoldingEditor node={node} id={id} ctx={ctx} set={set} />;
    case 'segment':
    case 'list':
      return <RefEditor node={node} id={id} ctx={ctx} set={set} />;
    default:
      return null;
  }
}

type Setter<T> = (patch: Partial<T>) => void;

/** The operator and value of an attribute or tag condition; `opField` decides the value a new operator starts from. */
function OpAndValue({
  id,
  ctx,
  node,
  set,
  ops,
  field,
  opField,
  suggest,
}: {
  id: string;
  ctx: EditorContext;
  node: { op: Op; value?: Value };
  set: (patch: { op?: Op; value?: Value }) => void;
  suggest?: ValueSuggest;
  ops: readonly string[];
  field?: Pick<FieldInfo, 'type' | 'values'>;
  opField?: FieldInfo;
}) {
  return (
    <>
      <OpSelect<Op>
        value={node.op}
        ops={ops}
        width={120}
        testId={`cond-${id}-op`}
        disabled={ctx.readOnly || !field}
        onChange={(op) => set({ op, value: valueForOp(opField, op, node.value) })}
      />
      <ValueInput
        field={field}
        op={node.op}
        value={node.value}
        onChange={(value) => set({ value })}
        testId={`cond-${id}-value`}
        disabled={ctx.readOnly}
        suggest={suggest}
      />
    </>
  );
}

function AttributeEditor({ node, id, ctx, set }: { node: AttributeCondition; id: string; ctx: EditorContext; set: Setter<AttributeCondition> }) {
  const { t, lang } = useI18n();
  const field = ctx.catalogue.attributes.find((a) => a.key === node.field);
  return (
    <Space wrap size={6}>
      <Wrap testId={`cond-${id}-field`}>
        <Select
          value={node.field || undefined}
          placeholder={t('seg.pickAttribute')}
          showSearch
          optionFilterProp="search"
          style={{ width: 170 }}
          disabled={ctx.readOnly}
          options={ctx.catalogue.attributes.map((a) => ({
            value: a.key,
            label: attributeLabel(lang, a.key, ctx.catalogue),
            search: `${attributeLabel(lang, a.key, ctx.catalogue)} ${a.label} ${a.key}`,
          }))}
          onChange={(key: string) => {
            const f = ctx.catalogue.attributes.find((a) => a.key === key);
            const op = (f?.ops[0] ?? 'eq') as Op;
            set({ field: key, op, value: valueForOp(f, op, null) });
          }}
        />
      </Wrap>
      <OpAndValue
        id={id}
        ctx={ctx}
        node={node}
        set={set}
        ops={field?.ops ?? []}
        field={field}
        opField={field}
        suggest={node.field ? { source: 'attribute', key: node.field } : undefined}
      />
    </Space>
  );
}

function TagEditor({ node, id, ctx, set }: { node: TagCondition; id: string; ctx: EditorContext; set: Setter<TagCondition> }) {
  const { t, tv } = useI18n();
  const tag = ctx.catalogue.tags.find((x) => x.key === node.tag);
  const families = [...new Set(ctx.catalogue.tags.map((x) => x.family))];
  return (
    <Space wrap size={6}>
      <Wrap testId={`cond-${id}-tag`}>
        <Select
          value={node.tag || undefined}
          placeholder={t('seg.pickTag')}
          showSearch
          optionFilterProp="search"
          style={{ width: 200 }}
          disabled={ctx.readOnly}
          options={families.map((f) => ({
            label: tv('tagFamily', f),
            options: ctx.catalogue.tags
              .filter((x) => x.family === f)
              .map((x) => ({ value: x.key, label: x.name, search: `${x.name} ${x.key}` })),
          }))}
          onChange={(key: string) => {
            const tg = ctx.catalogue.tags.find((x) => x.key === key);
            const op = (tg?.ops[0] ?? 'eq') as Op;
            set({ tag: key, op, value: valueForOp(tg ? { key: tg.key, label: tg.name, type: tg.value_type, values: tg.values, ops: tg.ops } : undefined, op, null) });
          }}
        />
      </Wrap>
      <OpAndValue
        id={id}
        ctx={ctx}
        node={node}
        set={set}
        ops={tag?.ops ?? []}
        field={tag ? { type: tag.value_type, values: tag.values } : undefined}
      />
      <Wrap testId={`cond-${id}-days-ago`}>
        <InputNumber
          min={0}
          max={3660}
          value={node.days_ago ?? null}
          placeholder={t('seg.tagNow')}
          onChange={(v) => set({ days_ago: v ?? null })}
          suffix={t('seg.daysAgo')}
          disabled={ctx.readOnly}
          style={{ width: 130 }}
        />
      </Wrap>
    </Space>
  );
}

/** An event (or transaction type) of the catalogue; shared with the tag editor. */
export function EventSelect({
  value,
  onChange,
  ctx,
  source = 'events',
  testId,
  width = 180,
  allowClear,
  placeholder,
}: {
  value: string | null | undefined;
  onChange: (v: string) => void;
  ctx: EditorContext;
  source?: 'events' | 'transactions';
  testId: string;
  width?: number;
  /** Clearing gives '' (e.g. "all transaction types"). */
  allowClear?: boolean;
  placeholder?: string;
}) {
  const { t, lang, tv } = useI18n();
  const pool = source === 'events' ? ctx.catalogue.events : ctx.catalogue.transactions;
  return (
    <Wrap testId={testId}>
      <Select
        value={value || undefined}
        placeholder={placeholder ?? (source === 'events' ? t('seg.pickEvent') : t('seg.pickTxType'))}
        allowClear={allowClear}
        showSearch
        optionFilterProp="search"
        style={{ width }}
        disabled={ctx.readOnly}
        popupMatchSelectWidth={false}
        options={pool.map((e) => {
          const label = source === 'events' ? eventLabel(lang, e.name, ctx.catalogue) : tv('txType', e.name) || e.label;
          return { value: e.name, label, title: `${label} · ${e.name}`, search: `${label} ${e.label} ${e.name}` };
        })}
        onChange={(v?: string) => onChange(v ?? '')}
      />
    </Wrap>
  );
}

/** Property filters of an event ("where property op value" rows); shared with the tag editor. */
export function FiltersEditor({
  filters,
  properties,
  onChange,
  ctx,
  id,
  from,
}: {
  filters: PropertyFilter[];
  properties: FieldInfo[];
  onChange: (f: PropertyFilter[]) => void;
  ctx: EditorContext;
  id: string;
  /** The event (or transaction type) whose property values are offered. */
  from?: { source: 'events' | 'transactions'; event?: string | null };
}) {
  const { t } = useI18n();
  const propLabel = usePropertyLabel();
  return (
    <div className="mf-cond-filters">
      {filters.map((f, i) => {
        const field = properties.find((p) => p.key === f.property);
        const setF = (patch: Partial<PropertyFilter>) => onChange(filters.map((x, j) => (j === i ? { ...x, ...patch } : x)));
        return (
          <Space key={i} wrap size={6}>
            <Typography.Text type="secondary">{t('seg.where')}</Typography.Text>
            <Wrap testId={`cond-${id}-filter-${i}-property`}>
              <Select
                value={f.property || undefined}
                placeholder={t('seg.pickProperty')}
                style={{ width: 150 }}
                showSearch
                optionFilterProp="title"
                disabled={ctx.readOnly}
                options={properties.map((p) => ({ value: p.key, label: propLabel(p), title: `${propLabel(p)} · ${p.key}` }))}
                onChange={(key: string) => {
                  const p = properties.find((x) => x.key === key);
                  const op = (p?.ops[0] ?? 'eq') as Op;
                  setF({ property: key, op, value: valueForOp(p, op, null) });
                }}
              />
            </Wrap>
            <OpSelect<Op>
              value={f.op}
              ops={field?.ops ?? []}
              width={110}
              disabled={ctx.readOnly || !field}
              onChange={(op) => setF({ op, value: valueForOp(field, op, f.value) })}
            />
            <ValueInput
              field={field}
              op={f.op}
              value={f.value}
              onChange={(value) => setF({ value })}
              testId={`cond-${id}-filter-${i}-value`}
              disabled={ctx.readOnly}
              suggest={from && f.property ? { ...from, key: f.property } : undefined}
            />
            {!ctx.readOnly && (
              <Button size="small" type="text" icon={<CloseOutlined />} onClick={() => onChange(filters.filter((_, j) => j !== i))} />
            )}
          </Space>
        );
      })}
      {!ctx.readOnly && properties.length > 0 && filters.length < 20 && (
        <Button
          size="small"
          type="link"
          icon={<PlusOutlined />}
          onClick={() => onChange([...filters, { property: '', op: 'eq', value: null }])}
          data-testid={`cond-${id}-add-filter`}
        >
          {t('seg.addFilter')}
        </Button>
      )}
    </div>
  );
}

/** Properties an event may be filtered on: its own plus the event columns ($channel, $date). */
function eventProperties(ctx: EditorContext, source: 'events' | 'transactions', event: string | null | undefined): FieldInfo[] {
  return catalogueEventProperties(ctx.catalogue, source, event);
}

function BehaviourEditor({ node, id, ctx, set }: { node: BehaviourCondition; id: string; ctx: EditorContext; set: Setter<BehaviourCondition> }) {
  const { t } = useI18n();
  const propLabel = usePropertyLabel();
  const props = eventProperties(ctx, node.source, node.event);
  const numeric = props.filter((p) => p.type === 'number');
  const value = node.value;
  return (
    <div>
      <Space wrap size={6}>
        <BoolSelect kind="did" value={node.did} onChange={(did) => set({ did })} disabled={ctx.readOnly} testId={`cond-${id}-did`} />
        <Typography.Text>{t('seg.inLast')}</Typography.Text>
        <LastDaysInput
          value={node.window.last_days}
          onChange={(last_days) => set({ window: { last_days } })}
          disabled={ctx.readOnly}
          testId={`cond-${id}-days`}
        />
        <Select
          value={node.source}
          style={{ width: 96 }}
          disabled={ctx.readOnly}
          options={[
            { value: 'events', label: t('seg.source.events') },
            { value: 'transactions', label: t('seg.source.transactions') },
          ]}
          onChange={(source: 'events' | 'transactions') => set({ source, event: null, filters: [], property: null, measure: 'count' })}
          data-testid={`cond-${id}-source`}
        />
        <EventSelect
          value={node.event}
          source={node.source}
          ctx={ctx}
          testId={`cond-${id}-event`}
          onChange={(event) => set({ event, filters: [], property: node.measure === 'count' ? null : node.property })}
        />
        <Wrap testId={`cond-${id}-measure`}>
          <Select
            value={node.measure}
            style={{ width: 100 }}
            disabled={ctx.readOnly}
            options={MEASURES.map((m) => ({ value: m, label: t(`seg.measure.${m}` as MessageKey) }))}
            onChange={(measure: Measure) => set({ measure, property: measure === 'count' ? null : node.property })}
          />
        </Wrap>
        {node.measure !== 'count' && (
          <Wrap testId={`cond-${id}-property`}>
            <Select
              value={node.property || undefined}
              placeholder={t('seg.pickProperty')}
              style={{ width: 140 }}
              disabled={ctx.readOnly}
              options={(node.measure === 'distinct' ? props : numeric).map((p) => ({ value: p.key, label: propLabel(p), title: `${propLabel(p)} · ${p.key}` }))}
              onChange={(property: string) => set({ property })}
            />
          </Wrap>
        )}
        <OpSelect<CountOp>
          value={node.op}
          ops={COUNT_OPS}
          width={110}
          testId={`cond-${id}-op`}
          disabled={ctx.readOnly}
          onChange={(op) =>
            set({
              op,
              value: op === 'between' ? (Array.isArray(value) ? value : [value, value]) : Array.isArray(value) ? value[0] : value,
            })
          }
        />
        <NumberOrRange
          value={value}
          between={node.op === 'between'}
          onChange={(v) => set({ value: v })}
          disabled={ctx.readOnly}
          width={100}
          rangeWidth={90}
          testId={`cond-${id}-value`}
        />
        {node.measure === 'count' && <Typography.Text>{t('seg.times')}</Typography.Text>}
      </Space>
      <FiltersEditor
        filters={node.filters}
        properties={props}
        onChange={(filters) => set({ filters })}
        ctx={ctx}
        id={id}
        from={{ source: node.source === 'transactions' ? 'transactions' : 'events', event: node.source === 'transactions' ? null : node.event }}
      />
    </div>
  );
}

function SequenceEditor({ node, id, ctx, set }: { node: SequenceCondition; id: string; ctx: EditorContext; set: Setter<SequenceCondition> }) {
  const { t } = useI18n();
  return (
    <Space wrap size={6}>
      <BoolSelect kind="did" value={node.did} onChange={(did) => set({ did })} disabled={ctx.readOnly} />
      <Typography.Text>{t('seg.inLast')}</Typography.Text>
      <LastDaysInput value={node.window.last_days} onChange={(last_days) => set({ window: { last_days } })} disabled={ctx.readOnly} />
      {node.steps.map((s, i) => (
        <Space key={i} size={4}>
          {i > 0 && <Typography.Text type="secondary">→</Typography.Text>}
          <EventSelect
            value={s.event}
            ctx={ctx}
            width={150}
            testId={`cond-${id}-step-${i}`}
            onChange={(event) => set({ steps: node.steps.map((x, j) => (j === i ? { event, filters: [] } : x)) })}
          />
          {!ctx.readOnly && node.steps.length > 2 && (
            <Button size="small" type="text" icon={<CloseOutlined />} onClick={() => set({ steps: node.steps.filter((_, j) => j !== i) })} />
          )}
        </Space>
      ))}
      {!ctx.readOnly && node.steps.length < 4 && (
        <Button size="small" type="link" icon={<PlusOutlined />} onClick={() => set({ steps: [...node.steps, { event: '', filters: [] }] })}>
          {t('seg.addStep')}
        </Button>
      )}
      <Typography.Text>{t('seg.withinHours')}</Typography.Text>
      <InputNumber
        min={1}
        max={24 * 366}
        value={node.within_hours}
        onChange={(v) => set({ within_hours: v ?? 1 })}
        suffix={t('seg.hours')}
        disabled={ctx.readOnly}
        style={{ width: 110 }}
      />
    </Space>
  );
}

function HoldingEditor({ node, id, ctx, set }: { node: HoldingCondition; id: string; ctx: EditorContext; set: Setter<HoldingCondition> }) {
  const { t, tv } = useI18n();
  const products = ctx.catalogue.products.filter((p) => !node.product_type || p.product_type === node.product_type);
  const value = node.value;
  return (
    <Space wrap size={6}>
      <BoolSelect kind="holds" value={node.holds} onChange={(holds) => set({ holds })} disabled={ctx.readOnly} />
      <Wrap testId={`cond-${id}-product-type`}>
        <Select
          value={node.product_type ?? undefined}
          allowClear
          placeholder={t('seg.anyProductType')}
          style={{ width: 130 }}
          disabled={ctx.readOnly}
          options={ctx.catalogue.product_types.map((p) => ({ value: p, label: tv('productType', p) }))}
          onChange={(v?: string) => set({ product_type: v ?? null, product_id: null })}
        />
      </Wrap>
      <Select
        value={node.product_id ?? undefined}
        allowClear
        showSearch
        optionFilterProp="label"
        placeholder={t('seg.anyProduct')}
        style={{ width: 200 }}
        popupMatchSelectWidth={false}
        disabled={ctx.readOnly}
        options={products.map((p) => ({ value: p.product_id, label: `${p.name} · ${p.product_id}` }))}
        onChange={(v?: string) => set({ product_id: v ?? null })}
      />
      <Typography.Text>{t('seg.balance')}</Typography.Text>
      <OpSelect<CountOp>
        value={node.op}
        ops={COUNT_OPS}
        width={110}
        allowClear
        placeholder={t('seg.anyBalance')}
        disabled={ctx.readOnly}
        onChange={(op?: CountOp) =>
          set({ op: op ?? null, value: op ? (op === 'between' ? [0, 0] : Array.isArray(value) ? value[0] : (value ?? 0)) : null })
        }
      />
      {node.op && (
        <NumberOrRange
          value={value}
          between={node.op === 'between'}
          onChange={(v) => set({ value: v })}
          disabled={ctx.readOnly}
          width={130}
          rangeWidth={110}
          prefix="¥"
        />
      )}
      <InputNumber
        min={0}
        max={3660}
        value={node.matures_within_days ?? null}
        placeholder={t('seg.maturesAny')}
        onChange={(v) => set({ matures_within_days: v ?? null })}
        prefix={t('seg.matures')}
        suffix={t('seg.days')}
        disabled={ctx.readOnly}
        style={{ width: 190 }}
      />
    </Space>
  );
}

/** 属于/不属于 a segment, 在/不在 a list: the membership choice and the picked segment or list. */
function RefEditor({
  node,
  id,
  ctx,
  set,
}: {
  node: SegmentCondition | ListCondition;
  id: string;
  ctx: EditorContext;
  set: (patch: { member?: boolean; segment_id?: number; list_id?: number }) => void;
}) {
  const { t } = useI18n();
  const target =
    node.type === 'segment'
      ? {
          value: node.segment_id,
          placeholder: t('seg.pickSegment'),
          options: ctx.segments.filter((s) => s.id !== ctx.selfId).map((s) => ({ value: s.id, label: s.name })),
          pick: (segment_id: number) => set({ segment_id }),
        }
      : {
          value: node.list_id,
          placeholder: ctx.lists.length ? t('seg.pickList') : t('seg.noLists'),
          options: ctx.lists.map((l) => ({ value: l.id, label: `${l.name}（${l.accepted}）` })),
          pick: (list_id: number) => set({ list_id }),
        };
  return (
    <Space wrap size={6}>
      <BoolSelect kind={node.type} value={node.member} onChange={(member) => set({ member })} disabled={ctx.readOnly} />
      <Wrap testId={`cond-${id}-${node.type}`}>
        <Select
          value={target.value || undefined}
          placeholder={target.placeholder}
          showSearch
          optionFilterProp="label"
          style={{ width: 220 }}
          disabled={ctx.readOnly}
          options={target.options}
          onChange={target.pick}
        />
      </Wrap>
    </Space>
  );
}
