import type { VariableInfo, VariableSource } from './api';

/** The order groups appear in the picker. */
export const SOURCE_ORDER: VariableSource[] = ['name_part', 'profile', 'product', 'benefit', 'trigger', 'link'];

/** `{{客户.姓氏}}`: how a picked variable is written into a template. */
export function placeholder(v: Pick<VariableInfo, 'name'>): string {
  return `{{${v.name}}}`;
}

/**
 * Inserts a variable at the caret (replacing a selection) and returns the new text and caret position. A caret
 * inside an existing placeholder moves after it first, so a pick never splits `{{…}}` in two.
 */
export function insertAt(
  text: string,
  start: number,
  end: number,
  v: Pick<VariableInfo, 'name'>,
): { text: string; caret: number } {
  let from = Math.max(0, Math.min(start, text.length));
  let to = Math.max(from, Math.min(end, text.length));
  const open = text.lastIndexOf('{{', from - 1);
  if (open >= 0) {
    const close = text.indexOf('}}', open + 2);
    if (close >= 0 && close + 2 > from && open < from) {
      from = close + 2;
      to = Math.max(to, from);
    }
  }
  const token = placeholder(v);
  return { text: text.slice(0, from) + token + text.slice(to), caret: from + token.length };
}

/** Catalogue entries grouped by source, in picker order (empty groups left out). */
export function groupVariables(variables: VariableInfo[]): [VariableSource, VariableInfo[]][] {
  return SOURCE_ORDER.map((s) => [s, variables.filter((v) => v.source === s)] as [VariableSource, VariableInfo[]]).filter(
    ([, vs]) => vs.length > 0,
  );
}
