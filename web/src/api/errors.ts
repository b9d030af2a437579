/** One item of FastAPI's 422 body: `{"detail": [{"loc": ["body", "field"], "msg": "...", "type": "..."}]}`. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

/** Error raised for every non-2xx answer (status > 0) and for network failures (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;
  /** The field a domain error names (`{"detail": "...", "field": "rule.event"}`), if any. */
  readonly field: string | null;

  constructor(status: number, detail: unknown, message?: string, field?: string | null) {
    super(message ?? (typeof detail === 'string' ? detail : `HTTP ${status}`));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.field = field ?? null;
  }
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
    (out[field] ??= []).push(issue.msg);
  }
  return out;
}

/** Like `fieldErrors`, plus the field a domain error (`{"detail", "field"}`) names. */
export function serverFieldErrors(err: unknown): Record<string, string[]> {
  const out = fieldErrors(err);
  if (isApiError(err) && err.field && typeof err.detail === 'string') (out[err.field] ??= []).push(err.detail);
  return out;
}

type Translator = (key: 'common.error.network' | 'common.error.unknown' | 'common.error.tooMany' | 'common.error.forbidden', params?: Record<string, string | number>) => string;

/** A single human-readable message for any error thrown by the API client (or anything else). */
export function errorMessage(err: unknown, t: Translator): string {
  if (isApiError(err)) {
    if (err.status === 0) return t('common.error.network');
    const { detail } = err;
    if (typeof detail === 'string' && detail.trim()) return detail;
    if (isValidationDetail(detail)) {
      return detail
        .map((issue) => {
          const field = issueField(issue);
          return field ? `${field}: ${issue.msg}` : issue.msg;
        })
        .join('; ');
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
