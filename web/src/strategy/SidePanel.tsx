import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Input, InputNumber, Radio, Select, Space, Switch, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { DraftNode, StrategyCatalogue, StrategySettings } from '../api/strategy';
import type { Catalogue } from '../api/insight';
import { useI18n, type Lang } from '../i18n';
import { attributeLabel, eventLabel, propertyLabel } from '../insight/segments/labels';
import {
  FIELDS,
  PRODUCT_RISKS,
  customAttributes,
  durationParts,
  evenPercents,
  manualTags,
  nextLabel,
  sendNodes,
  setField,
  toSeconds,
  triggerProperties,
  type DurationUnit,
  type FieldSpec,
} from './forms';
import { ENTRY_TYPES, outLabels, type FlowNode } from './graph';
import { nodeTitle, outcomeText, tk } from './labels';
import { SmartPanel } from './SmartPanel';

type Rec = Record<string, unknown>;

interface Ctx {
  catalogue: StrategyCatalogue | undefined;
  nodes: DraftNode[];
  readOnly: boolean;
  lang: Lang;
}

function asCat(c: StrategyCatalogue | undefined): Catalogue | undefined {
  return c as unknown as Catalogue | undefined;
}

function Pick({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <span data-testid={testId} style={{ display: 'block' }}>
      {children}
    </span>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="mf-panel-row">
      <div className="mf-panel-label">{label}</div>
      {children}
    </div>
  );
}

function Duration({ value, onChange, id, disabled }: { value: unknown; onChange: (s: number | null) => void; id: string; disabled: boolean }) {
  const { t } = useI18n();
  const parts = durationParts(typeof value === 'number' ? value : null);
  return (
    <Space.Compact style={{ width: '100%' }}>
      <InputNumber
        data-testid={`field-${id}`}
        min={0}
        value={parts.value}
        disabled={disabled}
        style={{ width: '60%' }}
        onChange={(v) => onChange(toSeconds(typeof v === 'number' ? v : null, parts.unit))}
      />
      <Select
        data-testid={`field-${id}-unit`}
        value={parts.unit}
        disabled={disabled}
        style={{ width: '40%' }}
        options={(['minutes', 'hours', 'days'] as DurationUnit[]).map((u) => ({ value: u, label: tk(t, `strategy.unit.${u}`) }))}
        onChange={(u: DurationUnit) => onChange(toSeconds(parts.value, u))}
      />
    </Space.Compact>
  );
}

function EventSelect({ value, onChange, id, ctx }: { value: unknown; onChange: (v: string) => void; id: string; ctx: Ctx }) {
  const { t } = useI18n();
  return (
    <Pick testId={`field-${id}`}>
      <Select
        value={typeof value === 'string' && value ? value : undefined}
        placeholder={t('strategy.pick.event')}
        showSearch
        optionFilterProp="search"
        disabled={ctx.readOnly}
        style={{ width: '100%' }}
        options={(ctx.catalogue?.events ?? []).map((e) => {
          const label = eventLabel(ctx.lang, e.name, asCat(ctx.catalogue));
          return { value: e.name, label, title: `${label} · ${e.name}`, search: `${label} ${e.label} ${e.name}` };
        })}
        onChange={onChange}
      />
    </Pick>
  );
}

const VALUE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains'];

function OpValue({ row, onChange, id, type, ops, ctx }: { row: Rec; onChange: (r: Rec) => void; id: string; type: string; ops: string[]; ctx: Ctx }) {
  const { t } = useI18n();
  const usable = ops.filter((o) => VALUE_OPS.includes(o) || o === 'is_null' || o === 'is_not_null');
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Pick testId={`field-${id}-op`}>
        <Select
          value={(row.op as string) ?? undefined}
          disabled={ctx.readOnly}
          style={{ width: 96 }}
          showSearch
          optionFilterProp="label"
          options={(usable.length ? usable : VALUE_OPS).map((o) => ({ value: o, label: tk(t, `strategy.op.${o}`), title: tk(t, `strategy.op.${o}`) }))}
          onChange={(op: string) => onChange({ ...row, op, value: op.startsWith('is_') ? null : row.value })}
        />
      </Pick>
      {!String(row.op ?? '').startsWith('is_') &&
        (type === 'number' ? (
          <InputNumber
            data-testid={`field-${id}-value`}
            value={typeof row.value === 'number' ? row.value : null}
            disabled={ctx.readOnly}
            style={{ width: 140 }}
            onChange={(v) => onChange({ ...row, value: typeof v === 'number' ? v : null })}
          />
        ) : (
          <Input
            data-testid={`field-${id}-value`}
            value={row.value === null || row.value === undefined ? '' : String(row.value)}
            disabled={ctx.readOnly}
            style={{ width: 140 }}
            onChange={(e) => onChange({ ...row, value: e.target.value })}
          />
        ))}
    </Space.Compact>
  );
}

function Filters({ value, event, onChange, id, ctx }: { value: unknown; event: unknown; onChange: (v: Rec[]) => void; id: string; ctx: Ctx }) {
  const { t } = useI18n();
  const rows = Array.isArray(value) ? (value as Rec[]) : [];
  const props = ctx.catalogue?.events.find((e) => e.name === event)?.properties ?? [];
  return (
    <div>
      {rows.map((r, i) => {
        const prop = props.find((p) => p.key === r.property);
        return (
          <div key={i} className="mf-panel-sub">
            <Space.Compact style={{ width: '100%' }}>
              <Pick testId={`field-${id}-${i}-property`}>
                <Select
                  value={(r.property as string) || undefined}
                  placeholder={t('strategy.pick.property')}
                  disabled={ctx.readOnly}
                  showSearch
                  optionFilterProp="label"
                  style={{ width: 200 }}
                  options={props.map((p) => ({ value: p.key, label: propertyLabel(ctx.lang, p), title: propertyLabel(ctx.lang, p) }))}
                  onChange={(property: string) => onChange(rows.map((x, j) => (j === i ? { ...x, property } : x)))}
                />
              </Pick>
              {!ctx.readOnly && (
                <Button icon={<DeleteOutlined />} onClick={() => onChange(rows.filter((_, j) => j !== i))} />
              )}
            </Space.Compact>
            <OpValue
              row={r}
              id={`${id}-${i}`}
              type={prop?.type ?? 'string'}
              ops={VALUE_OPS}
              ctx={ctx}
              onChange={(nr) => onChange(rows.map((x, j) => (j === i ? nr : x)))}
            />
          </div>
        );
      })}
      {!ctx.readOnly && (
        <Button size="small" type="dashed" icon={<PlusOutlined />} disabled={!event} data-testid={`field-${id}-add`}
          onClick={() => onChange([...rows, { property: '', op: 'eq', value: null }])}>
          {t('strategy.filters.add')}
        </Button>
      )}
    </div>
  );
}

const COND_TYPES = ['attribute', 'tag', 'segment', 'trigger'];

function ConditionRow({ cond, onChange, id, ctx }: { cond: Rec; onChange: (c: Rec) => void; id: string; ctx: Ctx }) {
  const { t } = useI18n();
  const type = String(cond.type ?? 'attribute');
  const cat = ctx.catalogue;
  let picker: ReactNode = null;
  let valueType = 'string';
  let ops = VALUE_OPS;
  if (type === 'attribute') {
    const attr = cat?.attributes.find((a) => a.key === cond.field);
    valueType = attr?.type ?? 'string';
    ops = cat?.operators[valueType] ?? VALUE_OPS;
    picker = (
      <Pick testId={`field-${id}-field`}>
        <Select
          value={(cond.field as string) || undefined}
          placeholder={t('strategy.pick.attribute')}
          showSearch
          optionFilterProp="search"
          disabled={ctx.readOnly}
          style={{ width: '100%' }}
          options={(cat?.attributes ?? []).map((a) => {
            const label = attributeLabel(ctx.lang, a.key, asCat(cat));
            return { value: a.key, label, title: `${label} · ${a.key}`, search: `${label} ${a.label} ${a.key}` };
          })}
          onChange={(field: string) => onChange({ ...cond, field })}
        />
      </Pick>
    );
  } else if (type === 'tag') {
    const tag = cat?.tags.find((x) => x.key === cond.tag);
    valueType = tag?.value_type ?? 'string';
    picker = (
      <Pick testId={`field-${id}-tag`}>
        <Select
          value={(cond.tag as string) || undefined}
          placeholder={t('strategy.pick.tag')}
          showSearch
          optionFilterProp="label"
          disabled={ctx.readOnly}
          style={{ width: '100%' }}
          options={(cat?.tags ?? []).map((x) => ({ value: x.key, label: x.name, title: x.name }))}
          onChange={(key: string) => onChange({ ...cond, tag: key })}
        />
      </Pick>
    );
  } else if (type === 'segment') {
    picker = (
      <Space.Compact style={{ width: '100%' }}>
        <Select
          value={cond.member === false ? 'out' : 'in'}
          disabled={ctx.readOnly}
          style={{ width: 90 }}
          options={[{ value: 'in', label: t('strategy.in') }, { value: 'out', label: t('strategy.notIn') }]}
          onChange={(v: string) => onChange({ ...cond, member: v === 'in' })}
        />
        <Pick testId={`field-${id}-segment`}>
          <Select
            value={typeof cond.segment_id === 'number' ? cond.segment_id : undefined}
            placeholder={t('strategy.pick.segment')}
            showSearch
            optionFilterProp="label"
            disabled={ctx.readOnly}
            style={{ width: 200 }}
            options={(cat?.segments ?? []).map((s) => ({ value: s.id, label: s.name, title: s.name }))}
            onChange={(segment_id: number) => onChange({ ...cond, segment_id })}
          />
        </Pick>
      </Space.Compact>
    );
  } else if (type === 'trigger') {
    picker = (
      <Pick testId={`field-${id}-property`}>
        <Select
          value={(cond.property as string) || undefined}
          placeholder={t('strategy.pick.property')}
          showSearch
          disabled={ctx.readOnly}
          style={{ width: '100%' }}
          options={triggerProperties(ctx.nodes, cat).map((k) => ({ value: k, label: k, title: k }))}
          onChange={(property: string) => onChange({ ...cond, property })}
        />
      </Pick>
    );
  }
  const fresh = (kind: string): Rec =>
    kind === 'segment' ? { type: kind, member: true } : kind === 'tag' ? { type: kind, tag: '', op: 'eq', value: null }
      : kind === 'trigger' ? { type: kind, property: '', op: 'eq', value: null } : { type: kind, field: '', op: 'gte', value: null };
  return (
    <div className="mf-panel-sub">
      {COND_TYPES.includes(type) ? (
        <Select
          data-testid={`field-${id}-type`}
          value={type}
          disabled={ctx.readOnly}
          style={{ width: '100%', marginBottom: 4 }}
          options={COND_TYPES.map((k) => ({ value: k, label: tk(t, `strategy.cond.${k}`) }))}
          onChange={(k: string) => onChange(fresh(k))}
        />
      ) : (
        <Typography.Text type="secondary">{t('strategy.cond.complex')}</Typography.Text>
      )}
      {picker}
      {type !== 'segment' && COND_TYPES.includes(type) && (
        <OpValue row={cond} onChange={onChange} id={id} type={valueType} ops={ops} ctx={ctx} />
      )}
    </div>
  );
}

function Field({ spec, node, onChange, ctx }: { spec: FieldSpec; node: DraftNode; onChange: (n: DraftNode) => void; ctx: Ctx }) {
  const { t } = useI18n();
  const value = node[spec.key];
  const set = (v: unknown) => onChange(setField(node, spec.key, v));
  const id = spec.key;
  const cat = ctx.catalogue;
  const dis = ctx.readOnly;
  const select = (options: { value: string | number; label: string }[], placeholder?: string, empty?: string) => (
    <>
      <Pick testId={`field-${id}`}>
        <Select
          value={(value as string | number | undefined) ?? undefined}
          placeholder={placeholder}
          showSearch
          optionFilterProp="label"
          disabled={dis}
          style={{ width: '100%' }}
          options={options.map((o) => ({ ...o, title: o.label }))}
          onChange={set}
        />
      </Pick>
      {empty && options.length === 0 && <Typography.Text type="secondary" className="mf-panel-hint">{empty}</Typography.Text>}
    </>
  );
  switch (spec.kind) {
    case 'segment':
      return select((cat?.segments ?? []).map((s) => ({ value: s.id, label: s.name })), t('strategy.pick.segment'), t('strategy.empty.segments'));
    case 'event':
      return <EventSelect value={value} onChange={set} id={id} ctx={ctx} />;
    case 'filters':
      return <Filters value={value} event={node.event} onChange={set} id={id} ctx={ctx} />;
    case 'duration':
      return <Duration value={value} onChange={set} id={id} disabled={dis} />;
    case 'number':
    case 'percent':
    case 'hour':
      return (
        <InputNumber
          data-testid={`field-${id}`}
          value={typeof value === 'number' ? value : null}
          min={spec.kind === 'hour' ? 0 : spec.min}
          max={spec.kind === 'hour' ? 23 : spec.kind === 'percent' ? 100 : spec.max}
          disabled={dis}
          style={{ width: '100%' }}
          onChange={(v) => set(typeof v === 'number' ? v : null)}
        />
      );
    case 'value': {
      const attrType = customAttributes(cat).find((a) => a.key === node.field)?.type ?? 'string';
      if (attrType === 'number')
        return (
          <InputNumber data-testid={`field-${id}`} value={typeof value === 'number' ? value : null} disabled={dis}
            style={{ width: '100%' }} onChange={(v) => set(typeof v === 'number' ? v : null)} />
        );
      if (attrType === 'bool')
        return (
          <Select data-testid={`field-${id}`} value={typeof value === 'boolean' ? String(value) : undefined} disabled={dis}
            style={{ width: '100%' }} onChange={(v: string) => set(v === 'true')}
            options={[{ value: 'true', label: t('strategy.bool.true') }, { value: 'false', label: t('strategy.bool.false') }]} />
        );
      return <Input data-testid={`field-${id}`} value={value === null || value === undefined ? '' : String(value)}
        disabled={dis} onChange={(e) => set(e.target.value)} />;
    }
    case 'text':
    case 'hhmm':
    case 'date':
      return (
        <Input
          data-testid={`field-${id}`}
          value={value === null || value === undefined ? '' : String(value)}
          placeholder={spec.kind === 'hhmm' ? 'HH:MM' : spec.kind === 'date' ? 'YYYY-MM-DD' : undefined}
          disabled={dis}
          onChange={(e) => set(e.target.value)}
        />
      );
    case 'strings':
      return (
        <Select
          data-testid={`field-${id}`}
          mode="tags"
          value={Array.isArray(value) ? (value as string[]) : []}
          disabled={dis}
          style={{ width: '100%' }}
          onChange={set}
        />
      );
    case 'channel':
      return select((cat?.channels ?? []).map((c) => ({ value: c, label: tk(t, `strategy.channel.${c}`) })));
    case 'template': {
      const channel = node.type === 'rm_task' ? 'rm_task' : String(node.channel ?? '');
      return select((cat?.templates[channel] ?? []).map((o) => ({ value: o.id, label: o.name })), t('strategy.pick.template'), t('strategy.empty.templates'));
    }
    case 'purpose':
      return select(['marketing', 'service'].map((p) => ({ value: p, label: tk(t, `strategy.purpose.${p}`) })));
    case 'product_risk':
      return (
        <>
          <Pick testId={`field-${id}`}>
            <Select
              value={(value as string | undefined) ?? undefined}
              placeholder={t('suitability.none')}
              allowClear
              disabled={dis}
              style={{ width: '100%' }}
              options={PRODUCT_RISKS.map((r) => ({ value: r, label: tk(t, `suitability.risk.${r}`) }))}
              onChange={(v) => set(v ?? null)}
            />
          </Pick>
          <Typography.Text type="secondary" className="mf-panel-hint">{t('suitability.hint')}</Typography.Text>
        </>
      );
    case 'benefit':
      return select((cat?.benefits ?? []).map((b) => ({ value: b.id, label: b.name })), t('strategy.pick.benefit'), t('strategy.empty.benefits'));
    case 'manual_tag':
      return select(manualTags(cat).map((x) => ({ value: x.key, label: x.name })), t('strategy.pick.tag'), t('strategy.empty.manualTags'));
    case 'custom_attribute':
      return select(customAttributes(cat).map((a) => ({ value: a.key, label: a.label })), t('strategy.pick.attribute'), t('strategy.empty.customAttributes'));
    case 'tag_action':
      return (
        <Radio.Group value={value} disabled={dis} onChange={(e) => set(e.target.value)}>
          <Radio value="add">{t('strategy.tagAction.add')}</Radio>
          <Radio value="remove">{t('strategy.tagAction.remove')}</Radio>
        </Radio.Group>
      );
    case 'per':
      return select(['hour', 'day'].map((p) => ({ value: p, label: tk(t, `strategy.per.${p}`) })));
    case 'overflow':
      return select(['hold', 'exit'].map((p) => ({ value: p, label: tk(t, `strategy.overflow.${p}`) })));
    case 'weekdays':
      return (
        <Checkbox.Group
          value={Array.isArray(value) ? (value as number[]) : []}
          disabled={dis}
          options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: tk(t, `strategy.weekday.${d}`) }))}
          onChange={(v) => set(v)}
        />
      );
    case 'send_node':
      return select(sendNodes(ctx.nodes, node.id).map((n) => ({ value: n.id, label: `${nodeTitle(n, t)} (${n.id})` })), t('strategy.pick.send'));
    case 'reentry': {
      const r = (value ?? {}) as Rec;
      const policy = String(r.policy ?? (node.type === 'segment_entry' ? 'once' : 'always'));
      return (
        <div>
          <Select
            data-testid="field-reentry-policy"
            value={policy}
            disabled={dis}
            style={{ width: '100%' }}
            options={['once', 'cooldown', 'always'].map((p) => ({ value: p, label: tk(t, `strategy.reentry.${p}`) }))}
            onChange={(p: string) => set({ ...r, policy: p, cooldown_seconds: p === 'cooldown' ? (r.cooldown_seconds ?? 7 * 86400) : undefined })}
          />
          {policy === 'cooldown' && (
            <Duration value={r.cooldown_seconds} disabled={dis} id="reentry-cooldown" onChange={(s) => set({ ...r, cooldown_seconds: s })} />
          )}
          <Space style={{ marginTop: 4 }}>
            <span>{t('strategy.reentry.maxConcurrent')}</span>
            <InputNumber min={1} max={100} value={Number(r.max_concurrent ?? 1)} disabled={dis}
              onChange={(v) => set({ ...r, policy, max_concurrent: typeof v === 'number' ? v : 1 })} />
          </Space>
        </div>
      );
    }
    case 'schedule': {
      const s = value as Rec | undefined | null;
      return (
        <div>
          <Switch checked={!!s} disabled={dis} onChange={(on) => set(on ? { every: 'daily', at: '09:00', weekdays: [] } : null)} />
          {s && (
            <Space wrap style={{ marginTop: 4 }}>
              <Select value={String(s.every ?? 'daily')} disabled={dis} style={{ width: 100 }}
                options={['daily', 'weekly'].map((e) => ({ value: e, label: tk(t, `strategy.every.${e}`) }))}
                onChange={(every: string) => set({ ...s, every })} />
              <Input value={String(s.at ?? '')} disabled={dis} style={{ width: 80 }} placeholder="HH:MM" onChange={(e) => set({ ...s, at: e.target.value })} />
              {s.every === 'weekly' && (
                <Checkbox.Group value={(s.weekdays as number[]) ?? []} disabled={dis}
                  options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: tk(t, `strategy.weekday.${d}`) }))}
                  onChange={(w) => set({ ...s, weekdays: w })} />
              )}
            </Space>
          )}
        </div>
      );
    }
    case 'branches': {
      const branches = Array.isArray(value) ? (value as Rec[]) : [];
      return (
        <div>
          {branches.map((b, i) => (
            <div key={String(b.label)} className="mf-panel-branch">
              <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                <b>{tk(t, 'strategy.branch', { n: i + 1 })}</b>
                {!dis && branches.length > 1 && (
                  <Button size="small" icon={<DeleteOutlined />} onClick={() => set(branches.filter((_, j) => j !== i))} />
                )}
              </Space>
              <ConditionRow
                cond={(b.condition ?? {}) as Rec}
                id={`branches-${i}`}
                ctx={ctx}
                onChange={(c) => set(branches.map((x, j) => (j === i ? { ...x, condition: c } : x)))}
              />
            </div>
          ))}
          {!dis && branches.length < 10 && (
            <Button size="small" type="dashed" icon={<PlusOutlined />} data-testid="field-branches-add"
              onClick={() => set([...branches, { label: nextLabel(branches.map((b) => String(b.label)), 'branch'), condition: { type: 'attribute', field: '', op: 'gte', value: null } }])}>
              {t('strategy.branch.add')}
            </Button>
          )}
        </div>
      );
    }
    case 'variants': {
      const variants = Array.isArray(value) ? (value as Rec[]) : [];
      const labels = variants.map((v) => String(v.label));
      return (
        <div>
          {variants.map((v, i) => (
            <Space key={labels[i]} style={{ display: 'flex', marginBottom: 4 }}>
              <b style={{ width: 24, display: 'inline-block' }}>{labels[i]}</b>
              <InputNumber data-testid={`field-variants-${i}`} min={1} max={100} value={Number(v.percent ?? 0)} disabled={dis} addonAfter="%"
                onChange={(p) => set(variants.map((x, j) => (j === i ? { ...x, percent: typeof p === 'number' ? p : 0 } : x)))} />
              {!dis && variants.length > 2 && (
                <Button size="small" icon={<DeleteOutlined />} onClick={() => {
                  const rest = variants.filter((_, j) => j !== i);
                  const shares = evenPercents(rest.length);
                  onChange({ ...node, variants: rest.map((x, j) => ({ ...x, percent: shares[j] })), control: node.control === labels[i] ? rest[0].label : node.control });
                }} />
              )}
            </Space>
          ))}
          {!dis && variants.length < 10 && (
            <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => {
              const more = [...variants, { label: nextLabel(labels, 'variant'), percent: 0 }];
              const shares = evenPercents(more.length);
              set(more.map((x, j) => ({ ...x, percent: shares[j] })));
            }}>
              {t('strategy.variant.add')}
            </Button>
          )}
          <Row label={t('strategy.field.control')}>
            <Select value={node.control as string} disabled={dis} style={{ width: '100%' }} options={labels.map((l) => ({ value: l, label: l }))}
              onChange={(c: string) => onChange({ ...node, control: c })} />
          </Row>
        </div>
      );
    }
    default:
      return null;
  }
}

export interface NodePanelProps {
  node: DraftNode;
  flowNodes: FlowNode[];
  targets: Record<string, string>;
  catalogue: StrategyCatalogue | undefined;
  readOnly: boolean;
  onChange: (n: DraftNode) => void;
  onConnect: (label: string, target: string | null) => void;
  onRemove: () => void;
}

/** The form of the selected node: its settings picked from the catalogue, and where each outcome leads. */
export function NodePanel({ node, flowNodes, targets, catalogue, readOnly, onChange, onConnect, onRemove }: NodePanelProps) {
  const { t, lang } = useI18n();
  const ctx: Ctx = { catalogue, nodes: flowNodes.map((n) => n.data.node), readOnly, lang };
  const others = flowNodes.filter((n) => n.id !== node.id && !ENTRY_TYPES.has(n.data.node.type));
  return (
    <div data-testid="node-panel">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {tk(t, `strategy.node.${node.type}`)} <Typography.Text type="secondary" className="mf-mono" style={{ fontSize: 12 }}>{node.id}</Typography.Text>
      </Typography.Title>
      <Row label={t('strategy.field.title')}>
        <Input data-testid="field-title" value={typeof node.title === 'string' ? node.title : ''} disabled={readOnly} maxLength={80}
          placeholder={tk(t, `strategy.node.${node.type}`)} onChange={(e) => onChange({ ...node, title: e.target.value || undefined })} />
      </Row>
      {(FIELDS[node.type] ?? []).map((spec) => (
        <Row key={spec.key} label={`${tk(t, `strategy.field.${spec.key}`)}${spec.required ? ' *' : ''}`}>
          <Field spec={spec} node={node} onChange={onChange} ctx={ctx} />
        </Row>
      ))}
      <SmartPanel node={node} />
      {outLabels(node).length > 0 && (
        <>
          <Typography.Title level={5}>{t('strategy.panel.connections')}</Typography.Title>
          {outLabels(node).map((label) => (
            <Row key={label} label={label === 'next' ? t('strategy.label.next') : outcomeText(node, label, t)}>
              <Pick testId={`next-${node.id}-${label}`}>
                <Select
                  allowClear
                  value={targets[label]}
                  placeholder={t('strategy.panel.exitHere')}
                  disabled={readOnly}
                  showSearch
                  optionFilterProp="label"
                  style={{ width: '100%' }}
                  options={others.map((n) => {
                    const text = `${nodeTitle(n.data.node, t)} (${n.id})`;
                    return { value: n.id, label: text, title: text };
                  })}
                  onChange={(v?: string) => onConnect(label, v ?? null)}
                />
              </Pick>
            </Row>
          ))}
        </>
      )}
      {!readOnly && (
        <Button danger icon={<DeleteOutlined />} style={{ marginTop: 12 }} onClick={onRemove} data-testid="node-remove">
          {t('strategy.node.remove')}
        </Button>
      )}
    </div>
  );
}

/** Strategy-wide settings: business line and priority (for the contact policy), holdout share. */
export function SettingsPanel({ settings, onChange, readOnly }: { settings: StrategySettings; onChange: (s: StrategySettings) => void; readOnly: boolean }) {
  const { t } = useI18n();
  return (
    <div data-testid="settings-panel">
      <Typography.Title level={5} style={{ marginTop: 0 }}>{t('strategy.settings.title')}</Typography.Title>
      <Row label={t('strategy.settings.businessLine')}>
        <Pick testId="setting-business_line">
          <Select value={settings.business_line ?? 'retail'} disabled={readOnly} style={{ width: '100%' }} showSearch optionFilterProp="label"
            options={['retail', 'card', 'wealth', 'loan'].map((b) => ({ value: b, label: tk(t, `strategy.line.${b}`), title: tk(t, `strategy.line.${b}`) }))}
            onChange={(business_line: StrategySettings['business_line']) => onChange({ ...settings, business_line })} />
        </Pick>
      </Row>
      <Row label={t('strategy.settings.priority')}>
        <InputNumber data-testid="setting-priority" min={1} max={1000} value={settings.priority ?? 100} disabled={readOnly} style={{ width: '100%' }}
          onChange={(v) => onChange({ ...settings, priority: typeof v === 'number' ? v : 100 })} />
        <Typography.Text type="secondary" className="mf-panel-hint">{t('strategy.settings.priorityHelp')}</Typography.Text>
      </Row>
      <Row label={t('strategy.settings.holdout')}>
        <InputNumber data-testid="setting-holdout" min={0} max={50} value={settings.holdout_percent ?? 0} disabled={readOnly} addonAfter="%" style={{ width: '100%' }}
          onChange={(v) => onChange({ ...settings, holdout_percent: typeof v === 'number' ? v : 0 })} />
        <Typography.Text type="secondary" className="mf-panel-hint">{t('strategy.settings.holdoutHelp')}</Typography.Text>
      </Row>
      <Row label={t('strategy.settings.timezone')}>
        <Typography.Text>{settings.timezone ?? 'Asia/Shanghai'}</Typography.Text>
      </Row>
      <Typography.Paragraph type="secondary" className="mf-panel-hint">{t('strategy.settings.hint')}</Typography.Paragraph>
    </div>
  );
}
