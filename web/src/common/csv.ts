/** Client-side CSV for result tables the API has no export endpoint for. */

export type CsvCell = string | number | boolean | null | undefined;

/** One CSV field: quoted when it holds a comma, quote or line break; formula-like text is neutralised. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A spreadsheet would run `=…`, `+…`, `-…`, `@…` as a formula (CSV injection); numbers stay numbers.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header plus rows as CSV text (CRLF line ends, as spreadsheets expect). */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n');
}

/** Saves CSV text with a UTF-8 byte order mark so Excel reads Chinese correctly. */
export function downloadCsv(filename: string, header: string[], rows: CsvCell[][]): void {
  const blob = new Blob(['\ufeff', toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
