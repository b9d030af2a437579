import type { Catalogue, EventInfo } from '../../api/insight';
import type { Lang } from '../../i18n';
import { translateValue } from '../../i18n/translate';

/** An event's name in the console language: our dictionary, else the catalogue's label, else the raw name. */
export function eventLabel(lang: Lang, name: string | null | undefined, catalogue?: Catalogue): string {
  if (!name) return '';
  const known = translateValue(lang, 'event', name);
  if (known !== name) return known;
  const info: EventInfo | undefined = catalogue?.events.find((e) => e.name === name);
  return info && info.label && info.label !== name && lang === 'zh' ? info.label : name;
}

/** An event property's name in the console language (`prop.<key>`, else the catalogue's label in zh), never
 * the raw key where a name is known. */
export function propertyLabel(lang: Lang, p: { key: string; label?: string | null }): string {
  const known = translateValue(lang, 'prop', p.key);
  if (known !== p.key) return known;
  return p.label && p.label !== p.key && lang === 'zh' ? p.label : p.key;
}

/** A customer attribute's name: our dictionary first (English), else the catalogue label. */
export function attributeLabel(lang: Lang, key: string, catalogue?: Catalogue): string {
  const known = translateValue(lang, 'attr', key);
  if (known !== key) return known;
  return catalogue?.attributes.find((a) => a.key === key)?.label ?? key;
}
