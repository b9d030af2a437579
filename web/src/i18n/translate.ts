import { en } from './en';
import { zh, type MessageKey } from './zh';

export type Lang = 'zh' | 'en';
export type Params = Record<string, string | number>;
export type Dictionary = Partial<Record<string, string>>;

export const LANG_STORAGE_KEY = 'mofang.lang';
export const DEFAULT_LANG: Lang = 'zh';

export const dictionaries: Record<Lang, Dictionary> = { zh, en };

/** Accepts stored or browser values such as "en", "en-US", "en_US", "zh-CN"; anything else is zh. */
export function normalizeLang(value: string | null | undefined): Lang {
  if (!value) return DEFAULT_LANG;
  return value.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

/** A placeholder value as shown: counts get thousands separators (共 20,000 条), ids stay as they are. */
function showParam(name: string, value: string | number): string {
  return typeof value === 'number' && Number.isInteger(value) && name !== 'id' ? value.toLocaleString('en-US') : String(value);
}

/** Replaces `{name}` placeholders; unknown placeholders are left as they are. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? showParam(name, params[name]) : whole,
  );
}

/** Looks a key up in the chosen language, then in zh (the source dictionary), then returns the key itself. */
export function lookup(
  lang: Lang,
  key: string,
  dicts: Record<Lang, Dictionary> = dictionaries,
): string | undefined {
  return dicts[lang][key] ?? dicts[DEFAULT_LANG][key];
}

export function translate(
  lang: Lang,
  key: MessageKey | string,
  params?: Params,
  dicts: Record<Lang, Dictionary> = dictionaries,
): string {
  return interpolate(lookup(lang, key, dicts) ?? key, params);
}

/**
 * Translates a value that comes from the server (event name, product type, channel…):
 * `prefix.value` if the dictionary knows it, otherwise the raw value unchanged.
 */
export function translateValue(
  lang: Lang,
  prefix: string,
  value: string | null | undefined,
  dicts: Record<Lang, Dictionary> = dictionaries,
): string {
  if (value === null || value === undefined || value === '') return '';
  return lookup(lang, `${prefix}.${value}`, dicts) ?? value;
}
