/** Pure helpers of the metric form and list: the definition a form describes, dimensions and formulas. */
import type { AttributeMeasure, MetricAttribute, MetricDefinition, MetricDimension, MetricMeasure, MetricSource } from '../../api/monitor';
import { PROPERTY_MEASURES } from '../../api/monitor';

export const ATTRIBUTE_MEASURES: readonly AttributeMeasure[] = ['customers', 'sum', 'avg'];
export const METRIC_ATTRIBUTES: readonly MetricAttribute[] = ['aum', 'age'];
export const MAX_DIMENSIONS = 5;

/** What the metric form holds (dimensions as `attribute:tier` / `property:product` select values). */
export interface MetricFormValues {
  key: string;
  name: string;
  source: MetricSource;
  event?: string;
  measure: MetricMeasure;
  property?: string;
  attribute_measure: AttributeMeasure;
  attribute?: MetricAttribute;
  days: number;
  dimensions?: string[];
}

/** `attribute:tier` → the dimension it stands for. */
export function parseDimension(value: string): MetricDimension {
  const at = value.indexOf(':');
  return { kind: value.slice(0, at) === 'property' ? 'property' : 'attribute', name: value.slice(at + 1) };
}

/** The select value of a dimension. */
export function dimensionValue(d: MetricDimension): string {
  return `${d.kind}:${d.name}`;
}

/** Whether a stored definition is an attribute metric (definitions without `source` are event metrics). */
export function isAttributeMetric(d: Pick<MetricDefinition, 'source'>): boolean {
  return d.source === 'attribute';
}

/** The definition the form describes: only the fields of the chosen source, and for attribute metrics only
 * attribute dimensions (an event's properties do not apply to customers). */
export function metricDefinition(v: MetricFormValues): MetricDefinition {
  const wanted = (v.dimensions ?? []).map(parseDimension);
  if (v.source === 'attribute') {
    return {
      source: 'attribute',
      event: null,
      measure: 'total',
      attribute_measure: v.attribute_measure,
      attribute: v.attribute_measure === 'customers' ? null : (v.attribute ?? null),
      days: v.days,
      dimensions: wanted.filter((d) => d.kind === 'attribute'),
    };
  }
  return {
    source: 'event',
    event: { event: v.event ?? '' },
    measure: v.measure,
    property: PROPERTY_MEASURES.includes(v.measure) ? (v.property ?? null) : null,
    days: v.days,
    dimensions: wanted,
  };
}

/** Form field of the metric form a 422 issue path of the new parts belongs to ('' when not one of them). */
export function metricFormField2(path: string): string {
  if (path.startsWith('definition.attribute_measure')) return 'attribute_measure';
  if (path.startsWith('definition.attribute')) return 'attribute';
  if (path.startsWith('definition.dimensions')) return 'dimensions';
  if (path.startsWith('definition.source')) return 'source';
  return '';
}

/** The form values of a stored metric (what its edit form opens with). */
export function metricFormValues(m: { key: string; name: string; definition: MetricDefinition }): MetricFormValues {
  const d = m.definition;
  return {
    key: m.key,
    name: m.name,
    source: d.source ?? 'event',
    event: d.event?.event ?? undefined,
    measure: d.measure ?? 'total',
    property: d.property ?? undefined,
    attribute_measure: d.attribute_measure ?? 'customers',
    attribute: d.attribute ?? undefined,
    days: d.days ?? 1,
    dimensions: (d.dimensions ?? []).map(dimensionValue),
  };
}

/** The definition an edit form saves: the form's parts over the stored ones, so that what the form does not show
 * (the event's property filters, the customer filter) survives the edit. */
export function editedDefinition(stored: MetricDefinition, v: MetricFormValues): MetricDefinition {
  const next = metricDefinition(v);
  const sameEvent = next.source !== 'attribute' && stored.event && stored.event.event === next.event?.event;
  return { ...stored, ...next, ...(sameEvent ? { event: stored.event } : {}), ...(stored.customers ? { customers: stored.customers } : {}) };
}
