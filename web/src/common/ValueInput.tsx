import { AutoComplete, DatePicker, InputNumber, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import type { FieldInfo, Value } from '../api/insight';
import { useI18n } from '../i18n';
import { LIST_OPS, NO_VALUE_OPS } from './conditionValues';
import { useTopValues, useUnseen, type ValueSuggest } from './fieldValues';

function Wrap({ testId, children, unseen }: { testId: string; children: ReactNode; unseen?: string[] }) {
  const { t } = useI18n();
  return (
    <span data-testid={testId} className="mf-cond-field">
      {children}
      {!!unseen?.length && (
        <Typography.Text type="warning" style={{ fontSize: 12, marginLeft: 6 }} data-testid={`${testId}-unseen`}>
          {t('monitor3.valueUnseen', { value: unseen.join('、') })}
        </Typography.Text>
      )}
    </span>
  );
}

/**
 * The value input an operator needs for a field of this type (select when values are known). A text field with
 * `suggest` offers the values that occur in the data (in the user's scope, most frequent first) and warns when a
 * typed value never occurs there.
 */
export function ValueInput({
  field,
  op,
  value,
  onChange,
  testId,
  disabled,
  size,
  suggest,
}: {
  field: Pick<FieldInfo, 'type' | 'values'> | undefined;
  op: string;
  value: Value | undefined;
  onChange: (v: Value) => void;
  testId: string;
  disabled?: boolean;
  size?: 'small' | 'middle';
  suggest?: ValueSuggest;
}) {
  const { t } = useI18n();
  const type = field?.type ?? 'string';
  // Only free text needs help: fields with known values already offer them, numbers and dates have no list.
  const textual = type === 'string' && !field?.values && !NO_VALUE_OPS.has(op) && op !== 'within_last_days' && op !== 'contains';
  const top = useTopValues(textual && suggest?.key ? suggest : undefined);
  const typed = textual ? (Array.isArray(value) ? value.map(String) : value === null || value === undefined ? [] : [String(value)]) : [];
  const unseen = useUnseen(textual ? suggest : undefined, top, typed);
  const dataOptions = (top?.values ?? []).map((v) => ({ value: v.value, label: `${v.value}（${v.count.toLocaleString('en-US')}）` }));
  if (NO_VALUE_OPS.has(op)) return null;
  if (op === 'within_last_days') {
    return (
      <Wrap testId={testId}>
        <InputNumber
          size={size}
          min={1}
          max={3660}
          value={typeof value === 'number' ? value : null}
          onChange={(v) => onChange(v ?? null)}
          suffix={t('seg.days')}
          disabled={disabled}
          style={{ width: 110 }}
        />
      </Wrap>
    );
  }
  const known = field?.values ?? null;
  if (LIST_OPS.has(op)) {
    const arr = Array.isArray(value) ? value.map(String) : [];
    return (
      <Wrap testId={testId} unseen={unseen}>
        <Select
          size={size}
          mode={known ? 'multiple' : 'tags'}
          value={arr}
          options={known ? known.map((v) => ({ value: v, label: v })) : dataOptions}
          onChange={(v: string[]) => onChange(type === 'number' ? v.map(Number).filter((n) => !Number.isNaN(n)) : v)}
          placeholder={t('seg.valuesPlaceholder')}
          disabled={disabled}
          style={{ minWidth: 200 }}
          tokenSeparators={[',', '，']}
        />
      </Wrap>
    );
  }
  const single = (v: Value | undefined, set: (x: Value) => void, key: string, width = 140) => {
    if (known) {
      return (
        <Select
          size={size}
          key={key}
          value={v === null || v === undefined ? undefined : String(v)}
          options={known.map((x) => ({ value: x, label: x }))}
          onChange={(x: string) => set(x)}
          placeholder={t('seg.valuePlaceholder')}
          disabled={disabled}
          style={{ minWidth: width }}
          showSearch
        />
      );
    }
    if (type === 'bool') {
      return (
        <Select
          size={size}
          key={key}
          value={typeof v === 'boolean' ? String(v) : undefined}
          options={[
            { value: 'true', label: t('common.yes') },
            { value: 'false', label: t('common.no') },
          ]}
          onChange={(x: string) => set(x === 'true')}
          disabled={disabled}
          style={{ width: 90 }}
        />
      );
    }
    if (type === 'number') {
      return (
        <InputNumber
          size={size}
          key={key}
          value={typeof v === 'number' ? v : v === null || v === undefined || v === '' ? null : Number(v)}
          onChange={(x) => set(x ?? null)}
          placeholder={t('seg.valuePlaceholder')}
          disabled={disabled}
          style={{ width: width - 20 }}
        />
      );
    }
    if (type === 'date') {
      return (
        <DatePicker
          size={size}
          key={key}
          value={typeof v === 'string' && v ? dayjs(v) : null}
          onChange={(d) => set(d ? d.format('YYYY-MM-DD') : null)}
          disabled={disabled}
        />
      );
    }
    return (
      <AutoComplete
        size={size}
        key={key}
        value={v === null || v === undefined ? '' : String(v)}
        options={dataOptions}
        onChange={(x: string) => set(x)}
        placeholder={t('seg.valuePlaceholder')}
        disabled={disabled}
        style={{ width }}
        popupMatchSelectWidth={false}
        filterOption={(input, o) => String(o?.value ?? '').toLowerCase().includes(input.toLowerCase())}
      />
    );
  };
  if (op === 'between') {
    const pair = Array.isArray(value) ? value : [];
    const setAt = (i: number) => (x: Value) => {
      const next = [pair[0] ?? null, pair[1] ?? null];
      next[i] = x as never;
      onChange(next as Value);
    };
    return (
      <Wrap testId={testId} unseen={unseen}>
        <Space size={4}>
          {single(pair[0], setAt(0), 'lo', 110)}
          <span>~</span>
          {single(pair[1], setAt(1), 'hi', 110)}
        </Space>
      </Wrap>
    );
  }
  return (
    <Wrap testId={testId} unseen={unseen}>
      {single(value, onChange, 'v')}
    </Wrap>
  );
}
