import { describe, expect, it } from 'vitest';
import {
  backlogWarning,
  batchEndpoint,
  formatCount,
  formatMs,
  formatWorkers,
  modeKey,
  relativeAge,
  workersDegraded,
} from './ingestStatus';

describe('formatCount', () => {
  it('adds thousands separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
  });

  it('shows a dash when missing', () => {
    expect(formatCount(undefined)).toBe('—');
    expect(formatCount(null)).toBe('—');
    expect(formatCount(Number.NaN)).toBe('—');
  });
});

describe('backlogWarning', () => {
  it('warns only above 100,000 waiting events', () => {
    expect(backlogWarning(0)).toBe(false);
    expect(backlogWarning(100_000)).toBe(false);
    expect(backlogWarning(100_001)).toBe(true);
    expect(backlogWarning(undefined)).toBe(false);
  });
});

describe('parse workers', () => {
  it('shows running / configured', () => {
    expect(formatWorkers({ configured: 2, running: 2 })).toBe('2 / 2');
    expect(formatWorkers({ configured: 4, running: 1 })).toBe('1 / 4');
    expect(formatWorkers(undefined)).toBe('—');
  });

  it('is degraded when fewer run than are configured', () => {
    expect(workersDegraded({ configured: 2, running: 2 })).toBe(false);
    expect(workersDegraded({ configured: 2, running: 1 })).toBe(true);
    expect(workersDegraded({ configured: 0, running: 0 })).toBe(false);
    expect(workersDegraded(undefined)).toBe(false);
  });
});

describe('formatMs', () => {
  it('keeps one decimal', () => {
    expect(formatMs(12.3)).toBe('12.3 ms');
    expect(formatMs(4)).toBe('4 ms');
    expect(formatMs(1234.56)).toBe('1,234.6 ms');
    expect(formatMs(null)).toBe('—');
  });
});

describe('modeKey', () => {
  it('names the known modes', () => {
    expect(modeKey('background')).toBe('ingest.mode.background');
    expect(modeKey('inline')).toBe('ingest.mode.inline');
    expect(modeKey('stopped')).toBe('ingest.mode.stopped');
    expect(modeKey('something-new')).toBeNull();
  });
});

describe('relativeAge', () => {
  const now = Date.parse('2026-11-22T11:20:00+00:00');

  it('picks the largest whole unit', () => {
    expect(relativeAge('2026-11-22T11:19:58+00:00', now)).toEqual({ key: 'ingest.ago.now', n: 0 });
    expect(relativeAge('2026-11-22T11:19:30+00:00', now)).toEqual({ key: 'ingest.ago.seconds', n: 30 });
    expect(relativeAge('2026-11-22T11:17:00+00:00', now)).toEqual({ key: 'ingest.ago.minutes', n: 3 });
    expect(relativeAge('2026-11-22T08:20:00+00:00', now)).toEqual({ key: 'ingest.ago.hours', n: 3 });
    expect(relativeAge('2026-11-20T11:20:00+00:00', now)).toEqual({ key: 'ingest.ago.days', n: 2 });
  });

  it('reads the offset of the timestamp', () => {
    expect(relativeAge('2026-11-22T19:10:00+08:00', now)).toEqual({ key: 'ingest.ago.minutes', n: 10 });
  });

  it('treats a timestamp in the future (clock skew) as just now', () => {
    expect(relativeAge('2026-11-22T11:20:30+00:00', now)).toEqual({ key: 'ingest.ago.now', n: 0 });
  });

  it('is null when missing or invalid', () => {
    expect(relativeAge(null, now)).toBeNull();
    expect(relativeAge(undefined, now)).toBeNull();
    expect(relativeAge('not a date', now)).toBeNull();
  });
});

describe('batchEndpoint', () => {
  it('appends /v1/batch to the origin', () => {
    expect(batchEndpoint('https://mofang.bank.example')).toBe('https://mofang.bank.example/v1/batch');
    expect(batchEndpoint('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000/v1/batch');
  });
});
