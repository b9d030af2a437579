import type { FormInstance } from 'antd';
import { fieldErrors } from '../api/errors';

/**
 * Puts a 422's messages on the matching form fields. Returns the messages that matched no field,
 * so the caller can show them above the form.
 */
export function applyFieldErrors<T>(form: FormInstance<T>, err: unknown, fields: readonly string[]): string[] {
  const byField = fieldErrors(err);
  const unmatched: string[] = [];
  const toSet: { name: string; errors: string[] }[] = [];
  for (const [field, messages] of Object.entries(byField)) {
    if (fields.includes(field)) toSet.push({ name: field, errors: messages });
    else unmatched.push(...messages.map((m) => (field ? `${field}: ${m}` : m)));
  }
  if (toSet.length) form.setFields(toSet as Parameters<FormInstance<T>['setFields']>[0]);
  return unmatched;
}
