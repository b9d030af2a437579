import { LANG_STORAGE_KEY, normalizeLang, type Lang } from './translate';

/** The console's language (the I18nProvider keeps it in storage), for code outside React: API calls, errors. */
export function currentLang(): Lang {
  try {
    return normalizeLang(globalThis.localStorage?.getItem(LANG_STORAGE_KEY));
  } catch {
    return 'zh';
  }
}
