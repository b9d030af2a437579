import { describe, expect, it } from 'vitest';
import { dimensionValue, isAttributeMetric, metricDefinition, metricFormField2, parseDimension, type MetricFormValues } from './metricForm';

const base: MetricFormValues = { key: 'k', name: 'n', source: 'event', event: 'purchase', measure: 'sum', property: 'amount', attribute_measure: 'customers', days: 7 };

describe('metric form', () => {
  it('round-trips dimensions through select values', () => {
    expect(parseDimension('attribute:tier')).toEqual({ kind: 'attribute', name: 'tier' });
    expect(parseDimension('property:a.b')).toEqual({ kind: 'property', name: 'a.b' });
    expect(dimensionValue({ kind: 'property', name: 'product' })).toBe('property:product');
  });

  it('builds an event definition with its dimensions', () => {
    expect(metricDefinition({ ...base, dimensions: ['attribute:tier', 'property:product'] })).toEqual({
      source: 'event', event: { event: 'purchase' }, measure: 'sum', property: 'amount', days: 7,
      dimensions: [{ kind: 'attribute', name: 'tier' }, { kind: 'property', name: 'product' }],
    });
    expect(metricDefinition({ ...base, measure: 'total' }).property).toBeNull();
  });

  it('builds an attribute definition without the event and without property dimensions', () => {
    const d = metricDefinition({ ...base, source: 'attribute', attribute_measure: 'sum', attribute: 'aum', dimensions: ['attribute:tier', 'property:product'] });
    expect(d).toEqual({ source: 'attribute', event: null, measure: 'total', attribute_measure: 'sum', attribute: 'aum', days: 7, dimensions: [{ kind: 'attribute', name: 'tier' }] });
    expect(metricDefinition({ ...base, source: 'attribute', attribute: 'age' }).attribute).toBeNull();
    expect(isAttributeMetric(d)).toBe(true);
    expect(isAttributeMetric({})).toBe(false);
  });

  it('maps 422 paths of the new fields to form fields', () => {
    expect(metricFormField2('definition.attribute')).toBe('attribute');
    expect(metricFormField2('definition.attribute_measure')).toBe('attribute_measure');
    expect(metricFormField2('definition.dimensions[0].kind')).toBe('dimensions');
    expect(metricFormField2('definition.event')).toBe('');
  });
});
