import { InputNumber, Select, Space } from 'antd';
import type { ReactNode } from 'react';
import type { FieldInfo } from '../../api/insight';
import { useI18n, type MessageKey } from '../../i18n';
import { propertyLabel } from './labels';

/** Gives a control a test id (`data-testid` on a wrapping span); without one the control stands alone. */
export function Wrap({ testId, children }: { testId?: string; children: ReactNode }) {
  if (!testId) return <>{children}</>;
  return (
    <span data-testid={testId} className="mf-cond-field">
      {children}
    </span>
  );
}

/** Operator options (`op.<name>` labels) of a field, tag or count. */
export function useOpOptions(ops: readonly string[]) {
  const { t } = useI18n();
  return ops.map((op) => ({ value: op, label: t(`op.${op}` as MessageKey) }));
}

/** A property's display name in the console language (the raw key only when no name is known). */
export function usePropertyLabel(): (p: FieldInfo) => string {
  const { lang } = useI18n();
  return (p) => propertyLabel(lang, p);
}

type Choices = readonly [readonly [string, MessageKey], readonly [string, MessageKey]];

/** The yes/no words a condition kind opens with: the option values and message keys of yes and of no. */
export const CHOICES = {
  did: [
    ['did', 'seg.did'],
    ['not', 'seg.didNot'],
  ],
  holds: [
    ['holds', 'seg.holds'],
    ['not', 'seg.holdsNot'],
  ],
  segment: [
    ['in', 'seg.memberOf'],
    ['out', 'seg.notMemberOf'],
  ],
  list: [
    ['in', 'seg.onList'],
    ['out', 'seg.notOnList'],
  ],
} as const satisfies Record<string, Choices>;

/** The yes/no choice that opens a condition (做过/未做过, 持有/未持有, 属于/不属于, 在/不在名单). */
export function BoolSelect({
  kind,
  value,
  onChange,
  disabled,
  testId,
}: {
  kind: keyof typeof CHOICES;
  value: boolean;
  onChange: (v: boolean) => void;
  disabled: boolean;
  testId?: string;
}) {
  const { t } = useI18n();
  const [[yes, yesLabel], [no, noLabel]] = CHOICES[kind];
  return (
    <Wrap testId={testId}>
      <Select
        value={value ? yes : no}
        style={{ width: 96 }}
        disabled={disabled}
        options={[
          { value: yes, label: t(yesLabel) },
          { value: no, label: t(noLabel) },
        ]}
        onChange={(v: string) => onChange(v === yes)}
      />
    </Wrap>
  );
}

/** 在最近 N 天: the look-back window of a behaviour or sequence condition. */
export function LastDaysInput({
  value,
  onChange,
  disabled,
  testId,
}: {
  value: number | null | undefined;
  onChange: (v: number | null) => void;
  disabled: boolean;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <Wrap testId={testId}>
      <InputNumber
        min={1}
        max={3660}
        value={value ?? null}
        onChange={(v) => onChange(v ?? null)}
        suffix={t('seg.days')}
        disabled={disabled}
        style={{ width: 100 }}
      />
    </Wrap>
  );
}

/** The operator of a condition row, from the `op.<name>` labels. */
export function OpSelect<O extends string>({
  value,
  ops,
  onChange,
  disabled,
  width,
  testId,
  allowClear,
  placeholder,
}: {
  value: O | null | undefined;
  ops: readonly string[];
  onChange: (op: O) => void;
  disabled: boolean;
  width: number;
  testId?: string;
  allowClear?: boolean;
  placeholder?: string;
}) {
  const options = useOpOptions(ops);
  return (
    <Wrap testId={testId}>
      <Select
        value={value ?? undefined}
        allowClear={allowClear}
        placeholder={placeholder}
        options={options}
        style={{ width }}
        disabled={disabled}
        onChange={onChange}
      />
    </Wrap>
  );
}

/** A number, or (op `between`) a `from ~ to` pair of numbers. */
export function NumberOrRange({
  value,
  between,
  onChange,
  disabled,
  width,
  rangeWidth,
  prefix,
  testId,
}: {
  value: number | number[] | null | undefined;
  between: boolean;
  onChange: (v: number | [number, number]) => void;
  disabled: boolean;
  width: number;
  rangeWidth: number;
  prefix?: ReactNode;
  testId?: string;
}) {
  if (between && Array.isArray(value)) {
    return (
      <Wrap testId={testId}>
        <Space size={4}>
          <InputNumber value={value[0]} onChange={(v) => onChange([v ?? 0, value[1]])} disabled={disabled} style={{ width: rangeWidth }} />
          <span>~</span>
          <InputNumber value={value[1]} onChange={(v) => onChange([value[0], v ?? 0])} disabled={disabled} style={{ width: rangeWidth }} />
        </Space>
      </Wrap>
    );
  }
  return (
    <Wrap testId={testId}>
      <InputNumber
        value={Array.isArray(value) ? value[0] : (value ?? null)}
        onChange={(v) => onChange(v ?? 0)}
        disabled={disabled}
        prefix={prefix}
        style={{ width }}
      />
    </Wrap>
  );
}
