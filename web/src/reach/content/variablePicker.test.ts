import { describe, expect, it } from 'vitest';
import type { VariableInfo } from './api';
import { groupVariables, insertAt, placeholder } from './variablePicker';

const surname = { name: '客户.姓氏' };

describe('insertAt', () => {
  it('inserts the placeholder at the caret and puts the caret after it', () => {
    expect(insertAt('尊敬的，您好', 3, 3, surname)).toEqual({ text: '尊敬的{{客户.姓氏}}，您好', caret: 3 + 9 });
  });

  it('replaces a selection', () => {
    expect(insertAt('尊敬的XX，您好', 3, 5, surname)).toEqual({ text: '尊敬的{{客户.姓氏}}，您好', caret: 12 });
  });

  it('appends when the caret is unknown or past the end, and clamps negative positions', () => {
    expect(insertAt('您好', 99, 99, surname).text).toBe('您好{{客户.姓氏}}');
    expect(insertAt('您好', -5, -5, surname).text).toBe('{{客户.姓氏}}您好');
  });

  it('never splits an existing placeholder: a caret inside one moves after it', () => {
    const text = '尊敬的{{客户.姓氏}}先生';
    const out = insertAt(text, 6, 6, { name: '客户.称谓' });
    expect(out.text).toBe('尊敬的{{客户.姓氏}}{{客户.称谓}}先生');
    expect(out.caret).toBe(12 + 9);
  });

  it('inserts after a closed placeholder without moving', () => {
    expect(insertAt('{{客户.姓氏}}', 9, 9, { name: '客户.称谓' }).text).toBe('{{客户.姓氏}}{{客户.称谓}}');
  });
});

describe('groupVariables', () => {
  it('groups by source in picker order, leaving empty groups out', () => {
    const v = (name: string, source: VariableInfo['source']): VariableInfo => ({
      key: name, name, label_en: name, source, max_length: 2, ascii_only: false, example: '',
    });
    const groups = groupVariables([v('链接', 'link'), v('产品.名称', 'product'), v('客户.姓氏', 'name_part')]);
    expect(groups.map(([s, vs]) => [s, vs.map((x) => x.name)])).toEqual([
      ['name_part', ['客户.姓氏']],
      ['product', ['产品.名称']],
      ['link', ['链接']],
    ]);
    expect(placeholder({ name: '链接' })).toBe('{{链接}}');
  });
});
