/**
 * Operator and value rules shared by every condition editor (segment builder, analytics filters):
 * which operators take no value or a list, and how a value is reshaped when the operator changes.
 */
import type { FieldInfo, Value } from '../api/insight';

/** Operators that take no value (segments say is_null, analytics says is_set). */
export const NO_VALUE_OPS = new Set<string>(['is_null', 'is_not_null', 'is_set', 'is_not_set']);
/** Operators that take a list of values. */
export const LIST_OPS = new Set<string>(['in', 'not_in']);

/** The value a field editor starts with after the operator changes (keeps what still fits). */
export function valueForOp(field: Partial<FieldInfo> | undefined, op: string, previous: Value | undefined): Value {
  if (NO_VALUE_OPS.has(op)) return null;
  if (op === 'between') return Array.isArray(previous) && previous.length === 2 ? previous : [];
  if (LIST_OPS.has(op)) {
    if (Array.isArray(previous)) return previous;
    return previous === null || previous === undefined || previous === '' ? [] : [previous];
  }
  if (op === 'within_last_days') return typeof previous === 'number' ? previous : 30;
  if (Array.isArray(previous)) return previous[0] ?? null;
  if (field?.type === 'bool' && typeof previous !== 'boolean') return true;
  return previous ?? null;
}

/** Whether an operator has the value it needs (a pair for between, a non-empty list for in). */
export function valueComplete(op: string, value: Value | undefined): boolean {
  if (NO_VALUE_OPS.has(op)) return true;
  if (value === null || value === undefined || value === '') return false;
  if (op === 'between') return Array.isArray(value) && value.length === 2 && value.every((v) => v !== null && v !== '');
  if (LIST_OPS.has(op)) return Array.isArray(value) && value.length > 0;
  return !Array.isArray(value);
}
