import type { Lang } from '../../i18n';
import { translateValue } from '../../i18n/translate';

const MALE = new Set(['m', 'male', '男', '1']);
const FEMALE = new Set(['f', 'female', '女', '2']);

/** Gender codes vary by source system (M/F, male/female, 男/女); show them in the console language. */
export function genderLabel(lang: Lang, value: string | null | undefined): string {
  if (!value) return '—';
  const v = value.trim().toLowerCase();
  if (MALE.has(v)) return translateValue(lang, 'gender', 'M');
  if (FEMALE.has(v)) return translateValue(lang, 'gender', 'F');
  return value;
}

/** Transaction direction: in/credit/+ is money in, out/debit/- is money out. */
export function directionKind(value: string | null | undefined): 'in' | 'out' | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  if (['in', 'credit', 'cr', '+', 'inflow', '收入', '转入'].includes(v)) return 'in';
  if (['out', 'debit', 'dr', '-', 'outflow', '支出', '转出'].includes(v)) return 'out';
  return null;
}
