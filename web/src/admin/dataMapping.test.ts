import { describe, expect, it } from 'vitest';
import type { DataEntity } from '../api/data';
import { decodeSample, guessMapping, missingRequired, previewCsv } from './dataMapping';

const customers: DataEntity = {
  name: 'customers',
  zh: '客户',
  key: ['customer_id'],
  full_allowed: true,
  fields: [
    { key: 'customer_id', type: 'string', zh: '客户号', meaning: '', example: '', required: true, pii: false, choices: [], aliases: ['客户编号'] },
    { key: 'name', type: 'string', zh: '姓名', meaning: '', example: '', required: true, pii: false, choices: [], aliases: ['客户姓名'] },
    { key: 'org_code', type: 'string', zh: '管户机构', meaning: '', example: '', required: true, pii: false, choices: [], aliases: [] },
    { key: 'phone', type: 'string', zh: '手机号', meaning: '', example: '', required: false, pii: true, choices: [], aliases: ['手机号码'] },
  ],
};

describe('data mapping preview', () => {
  it('reads a pipe-delimited file with Chinese headers and quoted cells', () => {
    const p = previewCsv('\ufeff客户编号|客户姓名|手机号码\nK1|"张|三"|13900001111\nK2|李四|\n');
    expect(p.delimiter).toBe('|');
    expect(p.headers).toEqual(['客户编号', '客户姓名', '手机号码']);
    expect(p.rows).toEqual([['K1', '张|三', '13900001111'], ['K2', '李四', '']]);
  });

  it('maps aliases to fields and names the required fields still missing', () => {
    const mapping = guessMapping(['客户编号', '客户姓名', '手机号码', '备注'], customers);
    expect(mapping).toEqual({ 客户编号: 'customer_id', 客户姓名: 'name', 手机号码: 'phone' });
    expect(missingRequired(mapping, customers)).toEqual(['org_code']);
  });

  it('decodes GBK bytes when they are not UTF-8', () => {
    const gbk = new Uint8Array([0xbf, 0xcd, 0xbb, 0xa7, 0xba, 0xc5]); // 客户号
    expect(decodeSample(gbk)).toBe('客户号');
    expect(decodeSample(new TextEncoder().encode('客户号'))).toBe('客户号');
  });
});
