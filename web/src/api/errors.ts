import { currentLang } from '../i18n/current';
import { lookup, translate, type Lang, type Params } from '../i18n/translate';

/** One item of FastAPI's 422 body: `{"detail": [{"loc": ["body", "field"], "msg": "...", "type": "..."}]}`. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type?: string;
  /** The limits of the failed check (`min_length`, `gt`, `expected`, …). */
  ctx?: Record<string, unknown>;
}

/** Error raised for every non-2xx answer (status > 0) and for network failures (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;
  /** The field a domain error names (`{"detail": "...", "field": "rule.event"}`), if any. */
  readonly field: string | null;
  /** The stable code of a domain error; the console's text for it is `err.<code>`, filled with `params`. */
  readonly code: string | null;
  readonly params: Params;

  constructor(
    status: number,
    detail: unknown,
    message?: string,
    field?: string | null,
    code?: string | null,
    params?: Params,
  ) {
    super(message ?? (typeof detail === 'string' ? detail : `HTTP ${status}`));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.field = field ?? null;
    this.code = code ?? null;
    this.params = params ?? {};
  }
}

/** The ApiError of a non-2xx answer's body (`{detail, field?, code?, params?}` or anything else). */
export function apiErrorFrom(status: number, payload: unknown): ApiError {
  const obj = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
  const detail = obj && 'detail' in obj ? obj.detail : payload;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const params: Params = {};
  if (obj?.params && typeof obj.params === 'object') {
    for (const [k, v] of Object.entries(obj.params as Record<string, unknown>)) {
      if (typeof v === 'string' || typeof v === 'number') params[k] = v;
      else if (v !== null && v !== undefined) params[k] = String(v);
    }
  }
  return new ApiError(status, detail ?? null, undefined, str(obj?.field), str(obj?.code), params);
}

/** The console's text for a domain error's code, or null when the code is unknown here. */
export function codeMessage(err: ApiError, lang: Lang = currentLang()): string | null {
  if (!err.code || lookup(lang, `err.${err.code}`) === undefined) return null;
  return translate(lang, `err.${err.code}`, err.params);
}

/** A field's label for messages (`field.<name>`, by the last part of a dotted path), or the name itself. */
export function fieldLabel(field: string, lang: Lang = currentLang()): string {
  const last = field.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? field;
  return lookup(lang, `field.${field}`) ?? lookup(lang, `field.${last}`) ?? field;
}

/** FastAPI's English message of one validation issue, in the console's language when its `type` is known. */
export function issueMessage(issue: ValidationIssue, lang: Lang = currentLang()): string {
  if (!issue.type || lookup(lang, `err.v.${issue.type}`) === undefined) return issue.msg;
  const params: Params = {};
  for (const [k, v] of Object.entries(issue.ctx ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  }
  return translate(lang, `err.v.${issue.type}`, params);
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function isValidationDetail(detail: unknown): detail is ValidationIssue[] {
  return (
    Array.isArray(detail) &&
    detail.length > 0 &&
    detail.every(
      (d) =>
        typeof d === 'object' &&
        d !== null &&
        Array.isArray((d as ValidationIssue).loc) &&
        typeof (d as ValidationIssue).msg === 'string',
    )
  );
}

const LOCATION_PREFIXES = new Set(['body', 'query', 'path', 'header', 'cookie']);

/** `["body", "org_code"]` → `"org_code"`; `["body"]` (whole body) → `""`. */
export function issueField(issue: ValidationIssue): string {
  const parts = issue.loc.slice(LOCATION_PREFIXES.has(String(issue.loc[0])) ? 1 : 0);
  return parts.map(String).join('.');
}

/** Field-level messages of a 422, keyed by field name (empty key = not tied to a field). */
export function fieldErrors(err: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isApiError(err) || !isValidationDetail(err.detail)) return out;
  for (const issue of err.detail) {
    const field = issueField(issue);
    (out[field] ??= []).push(issueMessage(issue));
  }
  return out;
}

/** Like `fieldErrors`, plus the field a domain error (`{"detail", "field"}`) names. */
export function serverFieldErrors(err: unknown): Record<string, string[]> {
  const out = fieldErrors(err);
  if (isApiError(err) && err.field && typeof err.detail === 'string') {
    (out[err.field] ??= []).push(codeMessage(err) ?? err.detail);
  }
  return out;
}

type Translator = (key: 'common.error.network' | 'common.error.unknown' | 'common.error.tooMany' | 'common.error.forbidden', params?: Record<string, string | number>) => string;

/** A single human-readable message for any error thrown by the API client (or anything else). */
export function errorMessage(err: unknown, t: Translator): string {
  if (isApiError(err)) {
    if (err.status === 0) return t('common.error.network');
    const { detail } = err;
    const coded = codeMessage(err);
    if (coded) return coded;
    if (typeof detail === 'string' && detail.trim()) return detail;
    if (isValidationDetail(detail)) {
      const sep = currentLang() === 'zh' ? '：' : ': ';
      return detail
        .map((issue) => {
          const field = issueField(issue);
          return field ? `${fieldLabel(field)}${sep}${issueMessage(issue)}` : issueMessage(issue);
        })
        .join(currentLang() === 'zh' ? '；' : '; ');
    }
    if (detail && typeof detail === 'object' && 'message' in detail) {
      const msg = (detail as { message: unknown }).message;
      if (typeof msg === 'string' && msg) return msg;
    }
    if (err.status === 429) return t('common.error.tooMany');
    if (err.status === 403) return t('common.error.forbidden');
    return t('common.error.unknown', { status: err.status });
  }
  if (err instanceof Error && err.message) return err.message;
  return t('common.error.unknown', { status: '?' });
}
