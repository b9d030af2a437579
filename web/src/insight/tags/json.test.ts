import { describe, expect, it } from 'vitest';
import { compactJson } from './json';

describe('compactJson', () => {
  it('drops nulls and empty lists at every depth but keeps zero and false', () => {
    expect(compactJson({ a: null, b: [], c: 0, d: false, e: { f: null, g: [{ h: null, i: 1 }] } })).toEqual({
      c: 0,
      d: false,
      e: { g: [{ i: 1 }] },
    });
  });
});
