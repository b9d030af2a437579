import { describe, expect, it } from 'vitest';
import type { TFunction } from '../../i18n/context';
import { translate } from '../../i18n/translate';
import { birthText } from './birth';

const zh: TFunction = (key, params) => translate('zh', key, params);

describe('birthText', () => {
  it('shows only the year while masked', () => {
    expect(birthText({ birth_date: null, birth_year: 1990 }, zh)).toBe('1990 年（月日已脱敏）');
  });
  it('shows the full date once unmasked', () => {
    expect(birthText({ birth_date: '1990-05-17', birth_year: 1990 }, zh)).toBe('1990-05-17');
  });
  it('shows a dash when unknown', () => {
    expect(birthText({ birth_date: null, birth_year: null }, zh)).toBe('—');
  });
});
