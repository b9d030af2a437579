import type { CustomerProfile } from '../../api/types';
import type { TFunction } from '../../i18n/context';

/** 出生日期 as shown: the full date only when unmasked, else the year (the API withholds month and day). */
export function birthText(profile: Pick<CustomerProfile, 'birth_date' | 'birth_year'>, t: TFunction): string {
  if (profile.birth_date) return profile.birth_date;
  // As text: numbers are shown with thousands separators (1,990).
  if (profile.birth_year != null) return t('pii.birthYearOnly', { year: String(profile.birth_year) });
  return '—';
}
