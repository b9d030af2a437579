import { useContext } from 'react';
import { I18nContext, type I18nValue, type TFunction } from './context';

export { I18nProvider } from './I18nProvider';
export type { MessageKey } from './zh';
export type { Lang } from './translate';
export type { TFunction } from './context';

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside <I18nProvider>');
  return value;
}

/** The translation function for the current language. */
export function useT(): TFunction {
  return useI18n().t;
}
