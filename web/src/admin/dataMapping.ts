import type { DataEntity } from '../api/data';

/** The first lines of a CSV as the server will read them: delimiter detected, headers and a few rows split. */
export interface CsvPreview {
  delimiter: string;
  headers: string[];
  rows: string[][];
}

const DELIMITERS = [',', '|', '\t'];

/** The delimiter the header line uses most (comma when none appears), as the server detects it. */
export function sniffDelimiter(headerLine: string): string {
  let best = ',';
  let count = 0;
  for (const d of DELIMITERS) {
    const n = headerLine.split(d).length - 1;
    if (n > count) {
      best = d;
      count = n;
    }
  }
  return best;
}

function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** The header and the first `limit` rows of CSV text (a BOM and a cut last line are dropped). */
export function previewCsv(text: string, limit = 5): CsvPreview {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const delimiter = sniffDelimiter(lines[0] ?? '');
  const headers = lines.length ? splitLine(lines[0], delimiter) : [];
  const rows = lines.slice(1, limit + 1).map((l) => splitLine(l, delimiter));
  return { delimiter, headers, rows };
}

/** Decodes the start of a file: UTF-8 when it is valid UTF-8, else GBK (as the server detects). */
export function decodeSample(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A multi-byte character cut at the end of the sample is not a reason to think the file is GBK.
    for (let cut = 1; cut <= 3; cut += 1) {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      } catch {
        /* try a shorter cut */
      }
    }
    return new TextDecoder('gbk').decode(bytes);
  }
}

const norm = (s: string) => s.trim().toLowerCase().replace(/ /g, '_');

/** Header → field key the server would pick by itself (key, Chinese name or alias), each field once. */
export function guessMapping(headers: string[], entity: DataEntity): Record<string, string> {
  const known = new Map<string, string>();
  for (const f of entity.fields) {
    for (const name of [f.key, f.zh, ...f.aliases]) if (!known.has(norm(name))) known.set(norm(name), f.key);
  }
  const out: Record<string, string> = {};
  const used = new Set<string>();
  for (const h of headers) {
    const key = known.get(norm(h));
    if (key && !used.has(key)) {
      out[h] = key;
      used.add(key);
    }
  }
  return out;
}

/** Required fields no column maps to. */
export function missingRequired(mapping: Record<string, string>, entity: DataEntity): string[] {
  const mapped = new Set(Object.values(mapping));
  return entity.fields.filter((f) => f.required && !mapped.has(f.key)).map((f) => f.key);
}
