import { describe, expect, it } from 'vitest';
import { ApiError, serverFieldErrors } from '../../../api/errors';
import { diffLines, stableJson } from './diff';
import { editorField, errorsByField, importReason, tidyMessage } from './fields';

describe('server errors onto editor fields', () => {
  it('maps pydantic paths (with the kind) and compiler paths (without) to the same field', () => {
    expect(editorField('rule.aggregate.bands')).toBe('bands');
    expect(editorField('rule.bands')).toBe('bands');
    expect(editorField('rule.event')).toBe('event');
    expect(editorField('rule.filters.0.property')).toBe('filters');
    expect(editorField('rule.aggregate.window.last_days')).toBe('window');
    expect(editorField('rule.cases.2.when.conditions.0.field')).toBe('cases.2');
    expect(editorField('rule')).toBe('kind');
    expect(editorField('owner_org')).toBe('owner_org');
    expect(editorField('key')).toBe('key');
    expect(editorField('tag_id')).toBe('');
  });
  it('reads both FastAPI issues and domain errors naming a field', () => {
    const issues = new ApiError(422, [{ loc: ['body', 'rule', 'aggregate', 'bands'], msg: 'Value error, overlap' }]);
    expect(errorsByField(serverFieldErrors(issues))).toEqual({ bands: ['Value error, overlap'] });
    const domain = new ApiError(422, "unknown event 'teleport'", undefined, 'rule.event');
    expect(errorsByField(serverFieldErrors(domain))).toEqual({ event: ["unknown event 'teleport'"] });
    expect(errorsByField(serverFieldErrors(new ApiError(422, 'no', undefined, 'tag_id')))).toEqual({ '': ['tag_id: no'] });
    expect(tidyMessage('Value error, band limits must increase')).toBe('band limits must increase');
  });
});

describe('version diff', () => {
  it('sorts keys so versions line up, and shows changed lines', () => {
    expect(stableJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}');
    const before = stableJson({ bands: [{ label: '1-4次', lt: 5 }], event: 'login' });
    const after = stableJson({ bands: [{ label: '1-2次', lt: 3 }], event: 'login' });
    const changed = diffLines(before, after).filter((l) => l.kind !== 'same');
    expect(changed).toEqual([
      { kind: 'removed', text: '      "label": "1-4次",' },
      { kind: 'removed', text: '      "lt": 5' },
      { kind: 'added', text: '      "label": "1-2次",' },
      { kind: 'added', text: '      "lt": 3' },
    ]);
  });
});

describe('import reasons', () => {
  it('recognises the reasons the server gives for rejected rows', () => {
    expect(importReason("'abc' is not a number")).toEqual({ key: 'tagEditor.import.r.number', value: 'abc' });
    expect(importReason('no such customer in your scope')).toEqual({ key: 'tagEditor.import.r.customer', value: undefined });
    expect(importReason('something new')).toBeNull();
  });
});
