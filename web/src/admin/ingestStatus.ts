/** Pure helpers of the ingestion status card on the write keys page (no React, no i18n lookups). */
import type { IngestParseWorkers } from '../api/endpoints';
import type { MessageKey } from '../i18n';

const EMPTY = '—';

/** Events waiting to be written above this count are shown in the warning colour. */
export const BACKLOG_WARNING = 100_000;

/** How often the card reloads while the page is open. */
export const REFRESH_MS = 10_000;

/** `1234567` → `1,234,567`; missing → `—`. */
export function formatCount(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return EMPTY;
  return Math.round(value).toLocaleString('en-US');
}

/** True when the backlog is large enough to warn about. */
export function backlogWarning(pending: number | null | undefined): boolean {
  return typeof pending === 'number' && pending > BACKLOG_WARNING;
}

/** `running / configured`, e.g. `2 / 2`; missing → `—`. */
export function formatWorkers(workers: IngestParseWorkers | null | undefined): string {
  if (!workers) return EMPTY;
  return `${workers.running} / ${workers.configured}`;
}

/** True when fewer parse workers run than are configured. */
export function workersDegraded(workers: IngestParseWorkers | null | undefined): boolean {
  return !!workers && workers.running < workers.configured;
}

/** Flush duration: `12.3 ms`; missing → `—`. */
export function formatMs(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return EMPTY;
  return `${ms.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;
}

/** The message key of the ingestion mode in plain words; unknown modes show raw. */
export function modeKey(mode: string): MessageKey | null {
  switch (mode) {
    case 'background':
      return 'ingest.mode.background';
    case 'inline':
      return 'ingest.mode.inline';
    case 'stopped':
      return 'ingest.mode.stopped';
    default:
      return null;
  }
}

export interface RelativeAge {
  key: MessageKey;
  n: number;
}

/**
 * How long ago `iso` was, as a message key and a count (`{n} 分钟前`); null when missing or invalid.
 * A timestamp slightly in the future (clock skew) counts as just now.
 */
export function relativeAge(iso: string | null | undefined, nowMs: number): RelativeAge | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const seconds = Math.max(0, Math.floor((nowMs - at) / 1000));
  if (seconds < 5) return { key: 'ingest.ago.now', n: 0 };
  if (seconds < 60) return { key: 'ingest.ago.seconds', n: seconds };
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return { key: 'ingest.ago.minutes', n: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { key: 'ingest.ago.hours', n: hours };
  return { key: 'ingest.ago.days', n: Math.floor(hours / 24) };
}

/** Where SDKs send batches: the console's own origin. */
export function batchEndpoint(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/v1/batch`;
}
