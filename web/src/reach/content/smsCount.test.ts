import { describe, expect, it } from 'vitest';
import type { VariableInfo } from './api';
import { longest, smsCount, templateSmsCount } from './smsCount';

const VARS: VariableInfo[] = [
  { key: 'customer.surname', name: '客户.姓氏', label_en: 'Surname', source: 'name_part', max_length: 2, ascii_only: false, example: '张' },
  { key: 'benefit.amount', name: '权益.面额', label_en: 'Amount', source: 'benefit', max_length: 8, ascii_only: true, example: '50' },
  { key: 'link', name: '链接', label_en: 'Link', source: 'link', max_length: 25, ascii_only: true, example: 'https://m.bank.cn/a/1' },
];
const SIGN = '【魔方银行】';
const OPT_OUT = '回T退订';

describe('smsCount (carrier rules, same numbers as the server)', () => {
  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('%i Chinese characters are %i part(s)', (n, parts) => {
    expect(smsCount('短'.repeat(n))).toEqual({ encoding: 'UCS-2', characters: n, parts });
  });

  it('counts GSM-7 at 160 / 153 and extension characters twice', () => {
    expect(smsCount('a'.repeat(160))).toEqual({ encoding: 'GSM-7', characters: 160, parts: 1 });
    expect(smsCount('a'.repeat(161)).parts).toBe(2);
    expect(smsCount('a'.repeat(306)).parts).toBe(2);
    expect(smsCount('a'.repeat(307)).parts).toBe(3);
    expect(smsCount('€'.repeat(80))).toEqual({ encoding: 'GSM-7', characters: 160, parts: 1 });
    expect(smsCount('a'.repeat(159) + '[')).toEqual({ encoding: 'GSM-7', characters: 161, parts: 2 });
  });

  it('counts an emoji as two UCS-2 units and an empty text as no part', () => {
    expect(smsCount('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', characters: 70, parts: 1 });
    expect(smsCount('😀'.repeat(36)).parts).toBe(2);
    expect(smsCount('')).toEqual({ encoding: 'GSM-7', characters: 0, parts: 0 });
  });
});

describe('templateSmsCount (variables at their declared maximum)', () => {
  it('includes the signature and the opt-out', () => {
    expect(templateSmsCount(SIGN + '中'.repeat(60) + OPT_OUT, VARS).characters).toBe(70);
    expect(templateSmsCount(SIGN + '中'.repeat(60) + OPT_OUT, VARS).parts).toBe(1);
    expect(templateSmsCount(SIGN + '中'.repeat(61) + OPT_OUT, VARS).parts).toBe(2);
  });

  it('counts a surname at 2 and a link at 25, by Chinese or English name', () => {
    const body = `${SIGN}{{客户.姓氏}}${'中'.repeat(58)}${OPT_OUT}`;
    expect(templateSmsCount(body, VARS)).toEqual({ encoding: 'UCS-2', characters: 70, parts: 1 });
    expect(templateSmsCount(body.replace('中', '中中'), VARS).parts).toBe(2);
    expect(longest('{{ link }}{{权益.面额}}', VARS)).toBe('x'.repeat(33));
  });

  it('keeps an English SMS with ASCII variables in GSM-7 and leaves unknown placeholders as written', () => {
    expect(templateSmsCount('Code {{权益.面额}}', VARS)).toEqual({ encoding: 'GSM-7', characters: 13, parts: 1 });
    expect(longest('{{客户.全名}}', VARS)).toBe('{{客户.全名}}');
  });
});
