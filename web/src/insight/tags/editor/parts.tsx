/** Small controls of the tag editor: the window, value bands, a value mapping, field errors. */
import { ArrowDownOutlined, ArrowUpOutlined, CloseOutlined, PlusOutlined, SortAscendingOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, InputNumber, Segmented, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import type { Band, Window } from '../../../api/insight';
import { useI18n, type MessageKey } from '../../../i18n';
import { addBand, bandIssues, bandRanges, sortBands } from './bands';

/** Messages per editor field (client checks and server 422s alike). */
export type FieldErrors = Record<string, string[]>;

/** A labelled form row whose errors (its own and those of `also`) show under it (test id `tag-error-<field>`). */
export function Row({
  field,
  also = [],
  label,
  errors,
  children,
  extra,
}: {
  field: string;
  also?: string[];
  label: ReactNode;
  errors: FieldErrors;
  children: ReactNode;
  extra?: ReactNode;
}) {
  const shown = [field, ...also].filter((f) => errors[f]?.length);
  return (
    <Form.Item
      label={label}
      validateStatus={shown.length ? 'error' : undefined}
      help={
        shown.length
          ? shown.map((f) => (
              <div key={f} data-testid={`tag-error-${f.replace(/\./g, '-')}`}>
                {errors[f].join('；')}
              </div>
            ))
          : undefined
      }
      extra={extra}
      style={{ marginBottom: 16 }}
    >
      {children}
    </Form.Item>
  );
}

/** A rolling window of the last N days, or a fixed range of dates. */
export function WindowInput({ value, onChange, disabled }: { value: Window; onChange: (w: Window) => void; disabled?: boolean }) {
  const { t } = useI18n();
  const rolling = value.last_days !== null && value.last_days !== undefined;
  return (
    <Space wrap data-testid="tag-window">
      <Segmented
        value={rolling ? 'rolling' : 'between'}
        disabled={disabled}
        options={[
          { value: 'rolling', label: t('tagEditor.window.rolling') },
          { value: 'between', label: t('tagEditor.window.between') },
        ]}
        onChange={(v) => onChange(v === 'rolling' ? { last_days: 30 } : { last_days: null, start: dayjs().subtract(29, 'day').format('YYYY-MM-DD'), end: dayjs().format('YYYY-MM-DD') })}
        data-testid="tag-window-kind"
      />
      {rolling ? (
        <span data-testid="tag-window-days">
          <InputNumber
            min={1}
            max={3660}
            precision={0}
            value={value.last_days ?? null}
            onChange={(v) => onChange({ last_days: v ?? null })}
            prefix={t('seg.inLast')}
            suffix={t('seg.days')}
            disabled={disabled}
            style={{ width: 150 }}
          />
        </span>
      ) : (
        <span data-testid="tag-window-range">
          <DatePicker.RangePicker
            value={[value.start ? dayjs(value.start) : null, value.end ? dayjs(value.end) : null]}
            disabled={disabled}
            onChange={(r) => onChange({ last_days: null, start: r?.[0]?.format('YYYY-MM-DD') ?? null, end: r?.[1]?.format('YYYY-MM-DD') ?? null })}
          />
        </span>
      )}
    </Space>
  );
}

const fmt = (x: number | null) => (x === null ? '' : x.toLocaleString('en-US', { maximumFractionDigits: 4 }));

/** Ordered value bands: a label per row and the upper limit (exclusive); the last band takes the rest. */
export function BandsEditor({ bands, onChange, disabled, unit }: { bands: Band[]; onChange: (b: Band[]) => void; disabled?: boolean; unit?: string }) {
  const { t } = useI18n();
  const issues = bandIssues(bands);
  const ranges = bandRanges(bands);
  const setAt = (i: number, patch: Partial<Band>) => onChange(bands.map((b, j) => (j === i ? { ...b, ...patch } : b)));
  const move = (i: number, d: -1 | 1) => {
    const next = [...bands];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    onChange(next);
  };
  const unsorted = issues.some((i) => i.code === 'unsorted');
  return (
    <div className="mf-tag-bands" data-testid="tag-bands">
      <Space orientation="vertical" size={6} style={{ width: '100%' }}>
        {bands.map((b, i) => {
          const last = i === bands.length - 1;
          const r = ranges[i];
          const rowIssues = issues.filter((x) => x.index === i);
          return (
            <div key={i} data-testid={`tag-band-${i}`}>
              <Space wrap size={6}>
                <Typography.Text type="secondary" style={{ display: 'inline-block', width: 24 }}>
                  {i + 1}
                </Typography.Text>
                <Input
                  value={b.label}
                  placeholder={t('tagEditor.band.label')}
                  onChange={(e) => setAt(i, { label: e.target.value })}
                  disabled={disabled}
                  status={rowIssues.some((x) => x.code === 'noLabel' || x.code === 'dupLabel') ? 'error' : undefined}
                  style={{ width: 160 }}
                  data-testid={`tag-band-${i}-label`}
                />
                <Typography.Text type="secondary" style={{ display: 'inline-block', minWidth: 80, textAlign: 'right' }}>
                  {r.lower === null ? t('tagEditor.band.from') : `≥ ${fmt(r.lower)}`}
                </Typography.Text>
                {last ? (
                  <Typography.Text type="secondary" style={{ display: 'inline-block', width: 150 }}>
                    {t('tagEditor.band.rest')}
                  </Typography.Text>
                ) : (
                  <span data-testid={`tag-band-${i}-upper`}>
                    <InputNumber
                      value={b.lt ?? null}
                      prefix="<"
                      suffix={unit}
                      onChange={(v) => setAt(i, { lt: v ?? null })}
                      disabled={disabled}
                      status={rowIssues.some((x) => ['noLimit', 'overlap', 'unsorted'].includes(x.code)) ? 'error' : undefined}
                      style={{ width: 150 }}
                    />
                  </span>
                )}
                {!disabled && (
                  <Space size={0}>
                    <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('tagEditor.up')} />
                    <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={last} onClick={() => move(i, 1)} aria-label={t('tagEditor.down')} />
                    <Button size="small" type="text" icon={<CloseOutlined />} disabled={bands.length <= 2} onClick={() => onChange(bands.filter((_, j) => j !== i))} aria-label={t('tagEditor.remove')} data-testid={`tag-band-${i}-remove`} />
                  </Space>
                )}
              </Space>
              {rowIssues.length > 0 && (
                <div style={{ marginInlineStart: 30 }}>
                  <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid={`tag-band-${i}-issue`}>
                    {rowIssues.map((x) => t(`tagEditor.band.${x.code}` as MessageKey, { ...x.params, row: i + 1 })).join('；')}
                  </Typography.Text>
                </div>
              )}
            </div>
          );
        })}
        {!disabled && (
          <Space>
            <Button size="small" icon={<PlusOutlined />} onClick={() => onChange(addBand(bands, ''))} disabled={bands.length >= 20} data-testid="tag-band-add">
              {t('tagEditor.band.add')}
            </Button>
            {unsorted && (
              <Button size="small" icon={<SortAscendingOutlined />} onClick={() => onChange(sortBands(bands))} data-testid="tag-band-sort">
                {t('tagEditor.band.sort')}
              </Button>
            )}
          </Space>
        )}
      </Space>
    </div>
  );
}

/** Attribute values mapped to tag values (e.g. risk level C1 → 保守); known values offered when the catalogue has them. */
export function MappingEditor({
  mapping,
  onChange,
  known,
  disabled,
}: {
  mapping: Record<string, string>;
  onChange: (m: Record<string, string>) => void;
  known?: string[] | null;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const rows = Object.entries(mapping);
  const setRows = (next: [string, string][]) => onChange(Object.fromEntries(next));
  return (
    <Space orientation="vertical" size={6} data-testid="tag-mapping">
      {rows.map(([from, to], i) => (
        <Space key={i} size={6}>
          {known ? (
            <Select
              value={from || undefined}
              options={known.map((v) => ({ value: v, label: v, disabled: v !== from && v in mapping }))}
              onChange={(v: string) => setRows(rows.map((r, j) => (j === i ? [v, r[1]] : r)))}
              placeholder={t('tagEditor.mapping.from')}
              disabled={disabled}
              style={{ width: 160 }}
            />
          ) : (
            <Input
              value={from}
              placeholder={t('tagEditor.mapping.from')}
              onChange={(e) => setRows(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}
              disabled={disabled}
              style={{ width: 160 }}
            />
          )}
          <span>→</span>
          <Input
            value={to}
            placeholder={t('tagEditor.mapping.to')}
            onChange={(e) => setRows(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}
            disabled={disabled}
            style={{ width: 160 }}
          />
          {!disabled && <Button size="small" type="text" icon={<CloseOutlined />} onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={t('tagEditor.remove')} />}
        </Space>
      ))}
      {!disabled && (
        <Button
          size="small"
          icon={<PlusOutlined />}
          // A new row needs a key of its own until the user picks the attribute value.
          onClick={() => setRows([...rows, [(known ?? []).find((v) => !(v in mapping)) ?? '', '']])}
          disabled={'' in mapping}
          data-testid="tag-mapping-add"
        >
          {t('tagEditor.mapping.add')}
        </Button>
      )}
    </Space>
  );
}
