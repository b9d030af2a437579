import type { SmsCount, VariableInfo } from './api';

// GSM 03.38: the basic set costs one septet, the extension set two; anything else makes the SMS UCS-2.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
    '¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');
const PLACEHOLDER = /\{\{([^{}]*?)\}\}/g;

/** Encoding, billed characters and parts as carriers count them (70/67 UCS-2, 160/153 GSM-7); mirrors the server. */
export function smsCount(text: string): SmsCount {
  const chars = Array.from(text);
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  // UCS-2 counts UTF-16 code units (an emoji takes two), which is what `length` is.
  const characters = gsm ? chars.reduce((n, c) => n + (GSM_EXTENDED.has(c) ? 2 : 1), 0) : text.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const parts = characters === 0 ? 0 : characters <= single ? 1 : Math.ceil(characters / multi);
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', characters, parts };
}

/**
 * A template at its longest: each known placeholder replaced by filler of its declared maximum length (as the
 * server counts it when the template is saved); unknown placeholders stay as written.
 */
export function longest(text: string, variables: VariableInfo[]): string {
  const byName = new Map<string, VariableInfo>();
  for (const v of variables) {
    byName.set(v.name, v);
    byName.set(v.key, v);
  }
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = byName.get(name.trim());
    return v ? (v.ascii_only ? 'x' : '字').repeat(v.max_length) : whole;
  });
}

/** The live counter of the SMS editor: the template counted with variables at their longest. */
export function templateSmsCount(text: string, variables: VariableInfo[]): SmsCount {
  return smsCount(longest(text, variables));
}
