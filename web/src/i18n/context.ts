import { createContext } from 'react';
import type { MessageKey } from './zh';
import type { Lang, Params } from './translate';

export type TFunction = (key: MessageKey, params?: Params) => string;

export interface I18nValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: TFunction;
  /** Translate a server-provided value under a dictionary prefix, falling back to the raw value. */
  tv: (prefix: string, value: string | null | undefined) => string;
}

export const I18nContext = createContext<I18nValue | null>(null);
