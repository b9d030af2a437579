import { describe, expect, it } from 'vitest';
import { en } from './en';
import { interpolate, normalizeLang, translate, translateValue, type Dictionary, type Lang } from './translate';
import { zh } from './zh';

const dicts: Record<Lang, Dictionary> = {
  zh: { 'a.only_zh': '仅中文', 'a.both': '都有', 'greet': '你好，{name}' },
  en: { 'a.both': 'Both', 'greet': 'Hello, {name}' },
};

describe('translate', () => {
  it('uses the chosen language when it has the key', () => {
    expect(translate('en', 'a.both', undefined, dicts)).toBe('Both');
    expect(translate('zh', 'a.both', undefined, dicts)).toBe('都有');
  });

  it('falls back to Chinese when English lacks the key', () => {
    expect(translate('en', 'a.only_zh', undefined, dicts)).toBe('仅中文');
  });

  it('falls back to the key itself when no dictionary has it', () => {
    expect(translate('en', 'nope.missing', undefined, dicts)).toBe('nope.missing');
  });

  it('fills placeholders and leaves unknown ones alone', () => {
    expect(translate('en', 'greet', { name: 'Li' }, dicts)).toBe('Hello, Li');
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('groups the thousands of counts but not of ids or decimals', () => {
    expect(interpolate('共 {n} 条', { n: 20000 })).toBe('共 20,000 条');
    expect(interpolate('客群 #{id}', { id: 12345 })).toBe('客群 #12345');
    expect(interpolate('{r}%', { r: 1234.5 })).toBe('1234.5%');
  });

  it('translates the real dictionaries', () => {
    expect(translate('zh', 'notBuilt.title')).toBe('该模块尚在建设中，暂未上线');
    expect(translate('en', 'notBuilt.title')).toBe('This module is not built yet');
  });
});

describe('translateValue', () => {
  it('translates known server values and shows unknown ones raw', () => {
    expect(translateValue('zh', 'event', 'app_start')).toBe('启动App');
    expect(translateValue('en', 'event', 'loan_quota_test')).toBe('Loan limit check');
    expect(translateValue('zh', 'event', 'custom_thing')).toBe('custom_thing');
    expect(translateValue('zh', 'event', null)).toBe('');
  });
});

describe('normalizeLang', () => {
  it('maps stored and browser values to zh or en, defaulting to zh', () => {
    expect(normalizeLang('en')).toBe('en');
    expect(normalizeLang('en_US')).toBe('en');
    expect(normalizeLang('zh-CN')).toBe('zh');
    expect(normalizeLang(null)).toBe('zh');
    expect(normalizeLang('fr')).toBe('zh');
  });
});

describe('dictionaries', () => {
  it('have the same keys in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('use the same placeholders in both languages', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',');
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(placeholders(en[key]), key).toBe(placeholders(zh[key]));
    }
  });
});
