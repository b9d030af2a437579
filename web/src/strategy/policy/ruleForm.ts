import type { MessageKey, TFunction } from '../../i18n';
import {
  BUSINESS_LINES,
  type BusinessLine,
  type Channel,
  CHANNELS,
  type RuleBody,
  type RuleRead,
  type RuleWrite,
  type Window,
} from './api';

/** The flat values the rule editor's form holds, for every kind at once (only the chosen kind's are sent). */
export interface RuleFormValues {
  name: string;
  enabled: boolean;
  kind: RuleBody['kind'];
  window: Window;
  limit: number;
  channel: Channel | 'all';
  businessLine: BusinessLine | 'all';
  purpose: 'marketing' | 'all';
  reserve: number;
  reservePriority: number;
  capAction: 'suppress' | 'defer';
  start: string;
  end: string;
  quietAction: 'defer' | 'drop';
  exemptService: boolean;
  /** A stored quiet-hours rule's exempt channels, kept through an edit here (they are set on the settings tab). */
  exemptChannels?: Channel[];
}

export const DEFAULT_RULE_FORM: RuleFormValues = {
  name: '',
  enabled: true,
  kind: 'cap',
  window: 'day',
  limit: 1,
  channel: 'all',
  businessLine: 'all',
  purpose: 'marketing',
  reserve: 0,
  reservePriority: 10,
  capAction: 'suppress',
  start: '21:00',
  end: '09:00',
  quietAction: 'defer',
  exemptService: true,
};

const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** The request body of the form's values (the server validates again and names the field). */
export function toRuleWrite(v: RuleFormValues): RuleWrite {
  const channel = v.channel === 'all' ? null : v.channel;
  const base = { name: v.name.trim(), enabled: v.enabled };
  if (v.kind === 'cap') {
    return {
      ...base,
      rule: {
        kind: 'cap',
        window: v.window,
        limit: v.limit,
        channel,
        business_line: v.businessLine === 'all' ? null : v.businessLine,
        purpose: v.purpose,
        reserve: v.reserve,
        reserve_priority: v.reservePriority,
        action: v.capAction,
      },
    };
  }
  if (v.kind === 'quiet_hours') {
    return {
      ...base,
      rule: {
        kind: 'quiet_hours',
        start: v.start,
        end: v.end,
        channel,
        action: v.quietAction,
        exempt_service: v.exemptService,
        ...(v.exemptChannels !== undefined && { exempt_channels: v.exemptChannels }),
      },
    };
  }
  return { ...base, rule: { kind: 'consent', channel, purpose: 'service' } };
}

/** The form's values for a stored rule (fields of other kinds keep their defaults). */
export function fromRule(r: RuleRead): RuleFormValues {
  const v: RuleFormValues = { ...DEFAULT_RULE_FORM, name: r.name, enabled: r.enabled, kind: r.rule.kind };
  v.channel = r.rule.channel ?? 'all';
  if (r.rule.kind === 'cap') {
    Object.assign(v, {
      window: r.rule.window,
      limit: r.rule.limit,
      businessLine: r.rule.business_line ?? 'all',
      purpose: r.rule.purpose,
      reserve: r.rule.reserve,
      reservePriority: r.rule.reserve_priority,
      capAction: r.rule.action,
    });
  } else if (r.rule.kind === 'quiet_hours') {
    Object.assign(v, {
      start: r.rule.start,
      end: r.rule.end,
      quietAction: r.rule.action,
      exemptService: r.rule.exempt_service,
      exemptChannels: r.rule.exempt_channels,
    });
  }
  return v;
}

export interface FormProblem {
  field: keyof RuleFormValues;
  message: MessageKey;
}

/** What the form can tell before asking the server: a name, a whole limit, a reserve within it, valid times. */
export function ruleProblems(v: RuleFormValues): FormProblem[] {
  const out: FormProblem[] = [];
  if (!v.name.trim()) out.push({ field: 'name', message: 'policy.problem.name' });
  if (v.kind === 'cap') {
    if (!Number.isInteger(v.limit) || v.limit < 0 || v.limit > 1000) out.push({ field: 'limit', message: 'policy.problem.limit' });
    else if (!Number.isInteger(v.reserve) || v.reserve < 0 || v.reserve > v.limit)
      out.push({ field: 'reserve', message: 'policy.problem.reserve' });
  }
  if (v.kind === 'quiet_hours') {
    if (!HHMM.test(v.start)) out.push({ field: 'start', message: 'policy.problem.time' });
    if (!HHMM.test(v.end)) out.push({ field: 'end', message: 'policy.problem.time' });
    if (HHMM.test(v.start) && v.start === v.end) out.push({ field: 'end', message: 'policy.problem.sameTime' });
  }
  return out;
}

/** The form field a server error path names (`rule.reserve`, `rule.cap.limit`, `rule.quiet_hours.start` …). */
export function formFieldOf(path: string): keyof RuleFormValues | '' {
  const last = path.split('.').pop() ?? '';
  const map: Record<string, keyof RuleFormValues> = {
    name: 'name',
    limit: 'limit',
    reserve: 'reserve',
    reserve_priority: 'reservePriority',
    window: 'window',
    start: 'start',
    end: 'end',
    business_line: 'businessLine',
  };
  return map[last] ?? '';
}

function channelText(t: TFunction, channel: Channel | null): string {
  return t(`policy.channel.${channel ?? 'all'}` as MessageKey);
}

/** One sentence describing a rule, as the rules table shows it. */
export function describeRule(t: TFunction, rule: RuleBody): string {
  if (rule.kind === 'cap') {
    const text = t('policy.describe.cap', {
      window: t(`policy.window.${rule.window}` as MessageKey),
      channel: channelText(t, rule.channel),
      line: t(`policy.line.${rule.business_line ?? 'all'}` as MessageKey),
      limit: rule.limit,
      purpose: t(`policy.purpose.${rule.purpose}` as MessageKey),
      action: t(`policy.action.${rule.action}` as MessageKey),
    });
    return rule.reserve > 0
      ? text + t('policy.describe.reserve', { reserve: rule.reserve, priority: rule.reserve_priority })
      : text;
  }
  if (rule.kind === 'quiet_hours') {
    return t('policy.describe.quiet', {
      start: rule.start,
      end: rule.end,
      channel: channelText(t, rule.channel),
      action: t(`policy.action.${rule.action}` as MessageKey),
      exempt:
        (rule.exempt_service ? t('policy.describe.exempt') : '') +
        (rule.channel === null && (rule.exempt_channels ?? []).length > 0
          ? t('policy.describe.exemptChannels', { channels: (rule.exempt_channels ?? []).map((c) => channelText(t, c)).join('、') })
          : ''),
    });
  }
  return t('policy.describe.consent', { channel: channelText(t, rule.channel) });
}

const REASONS = new Set([
  'cap_reserved', 'cap_day_channel', 'cap_week_channel', 'cap_month_channel', 'cap_day_all', 'cap_week_all',
  'cap_month_all', 'quota_day_line', 'quota_week_line', 'quota_month_line', 'quiet_hours', 'no_consent',
  'do_not_contact', 'opted_out', 'global_control', 'unsuitable',
]);

/** A suppression reason in the user's language (an unknown code is shown as it is). */
export function reasonText(t: TFunction, code: string | null): string {
  if (!code) return '';
  return REASONS.has(code) ? t(`policy.reason.${code}` as MessageKey) : code;
}

/** A percentage the control-group form may save: 0 – 50 with at most two decimals. */
export function validPercent(value: number | null | undefined): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 50 && Math.round(value * 100) === value * 100;
}

/** Channel choices of a select, optionally led by "all channels". */
export const channelOptions = (t: TFunction, withAll: boolean) => [
  ...(withAll ? [{ value: 'all', label: t('policy.channel.all') }] : []),
  ...CHANNELS.map((c) => ({ value: c, label: t(`policy.channel.${c}` as MessageKey) })),
];

/** Business-line choices of a select, optionally led by "all lines". */
export const lineOptions = (t: TFunction, withAll: boolean) => [
  ...(withAll ? [{ value: 'all', label: t('policy.line.all') }] : []),
  ...BUSINESS_LINES.map((l) => ({ value: l, label: t(`policy.line.${l}` as MessageKey) })),
];

/** A channel's name in the user's language (a code the console does not know is shown as it is). */
export const channelName = (t: TFunction, c: string): string =>
  (CHANNELS as readonly string[]).includes(c) ? t(`policy.channel.${c}` as MessageKey) : c;
