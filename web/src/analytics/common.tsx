import { DownloadOutlined, PlayCircleOutlined, SaveOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Empty, Select, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { Children, cloneElement, Fragment, isValidElement, useCallback, useId, useRef, useState, type ReactNode } from 'react';
import { ANALYTICS_ATTRIBUTES } from '../api/analytics';
import { exportAnalysisCsv, type AnalysisModel, type AnyQuery, type SavedAnalysis } from '../api/dashboards';
import { errorMessage } from '../api/errors';
import { catalogueApi, type Catalogue } from '../api/insight';
import { ErrorAlert } from '../common/ErrorAlert';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { attributeLabel, eventLabel } from '../insight/segments/labels';
import { SaveAnalysisModal } from './saved/SaveAnalysisModal';
import type { SavedLoad } from './saved/useSavedAnalysis';

export type { DateRange } from './format';
export { formatSeconds, lastDays, num, pct } from './format';
import type { DateRange } from './format';

/** The catalogue (events with their properties, attributes, tags), loaded once per page. */
export function useCatalogue() {
  return useApi((signal) => catalogueApi.get(signal), []);
}

/** Runs a query on demand; a newer run aborts the older one. */
export function useRun<Q, R>(fn: (q: Q, signal: AbortSignal) => Promise<R>) {
  const [state, setState] = useState<{ data?: R; error?: unknown; loading: boolean; query?: Q }>({ loading: false });
  const ctrl = useRef<AbortController | null>(null);
  const run = useCallback(
    (q: Q) => {
      ctrl.current?.abort();
      const c = new AbortController();
      ctrl.current = c;
      setState((s) => ({ data: s.data, query: s.query, loading: true }));
      fn(q, c.signal).then(
        (data) => !c.signal.aborted && setState({ data, loading: false, query: q }),
        (error: unknown) => !c.signal.aborted && setState({ error, loading: false }),
      );
    },
    [fn],
  );
  return { ...state, run };
}

export function RangeField({ value, onChange }: { value: DateRange; onChange: (r: DateRange) => void }) {
  const { t } = useI18n();
  return (
    <Field label={t('an.range')}>
      <DatePicker.RangePicker
        value={[dayjs(value[0]), dayjs(value[1])]}
        allowClear={false}
        presets={[
          { label: t('an.last7'), value: [dayjs().subtract(6, 'day'), dayjs()] },
          { label: t('an.last30'), value: [dayjs().subtract(29, 'day'), dayjs()] },
          { label: t('an.last90'), value: [dayjs().subtract(89, 'day'), dayjs()] },
        ]}
        onChange={(r) => r && r[0] && r[1] && onChange([r[0].format('YYYY-MM-DD'), r[1].format('YYYY-MM-DD')])}
        data-testid="an-range"
      />
    </Field>
  );
}

/**
 * A labelled control of a query form. The label is a real `<label>` tied to the control (its id is passed down
 * unless it has one) and names the field's group too, so screen readers announce every query input by name.
 */
export function Field({ label, children }: { label: ReactNode; children: ReactNode }) {
  const auto = useId();
  const only = Children.count(children) === 1 && isValidElement<{ id?: string }>(children) && children.type !== Fragment
    ? children
    : null;
  const controlId = only ? (only.props.id ?? `${auto}-control`) : undefined;
  const labelId = `${auto}-label`;
  return (
    <div className="mf-an-field" role="group" aria-labelledby={labelId}>
      <label className="mf-an-label" id={labelId} htmlFor={controlId}>
        {label}
      </label>
      {only && !only.props.id ? cloneElement(only, { id: controlId }) : children}
    </div>
  );
}

export function EventPicker({
  catalogue,
  value,
  onChange,
  testId,
  width = 200,
  allowClear,
  placeholder,
}: {
  catalogue?: Catalogue;
  value?: string;
  onChange: (v: string) => void;
  testId?: string;
  width?: number;
  allowClear?: boolean;
  placeholder?: string;
}) {
  const { t, lang } = useI18n();
  return (
    <span data-testid={testId} className="mf-cond-field">
      <Select
        value={value || undefined}
        onChange={(v?: string) => onChange(v ?? '')}
        showSearch
        allowClear={allowClear}
        optionFilterProp="search"
        popupMatchSelectWidth={false}
        placeholder={placeholder ?? t('seg.pickEvent')}
        loading={!catalogue}
        style={{ width }}
        options={(catalogue?.events ?? []).map((e) => {
          const label = eventLabel(lang, e.name, catalogue);
          return {
            value: e.name,
            label,
            title: `${label} · ${e.name}`,
            search: `${label} ${e.label} ${e.name}`,
          };
        })}
      />
    </span>
  );
}

/** Event names in the console language (for chart labels and tables). */
export function useEventName(catalogue?: Catalogue) {
  const { lang } = useI18n();
  return (name: string) => eventLabel(lang, name, catalogue);
}

/** A customer attribute; `keys` narrows the choice (default: the attributes analyses group by). */
export function AttributePicker({
  value,
  onChange,
  catalogue,
  allowClear = true,
  placeholder,
  testId,
  keys = ANALYTICS_ATTRIBUTES,
  width = 160,
}: {
  value?: string;
  onChange: (v?: string) => void;
  catalogue?: Catalogue;
  allowClear?: boolean;
  placeholder?: string;
  testId?: string;
  keys?: readonly string[];
  width?: number;
}) {
  const { t, lang } = useI18n();
  return (
    <span data-testid={testId} className="mf-cond-field">
      <Select
        value={value}
        onChange={onChange}
        allowClear={allowClear}
        placeholder={placeholder ?? t('an.noGroup')}
        style={{ width }}
        showSearch={keys.length > 10}
        optionFilterProp="label"
        options={keys.map((a) => ({ value: a, label: attributeLabel(lang, a, catalogue) }))}
      />
    </span>
  );
}

export function RunButton({ onClick, loading, disabled, testId }: { onClick: () => void; loading: boolean; disabled?: boolean; testId?: string }) {
  const { t } = useI18n();
  return (
    <Button type="primary" icon={<PlayCircleOutlined />} onClick={onClick} loading={loading} disabled={disabled} data-testid={testId ?? 'an-run'}>
      {t('an.run')}
    </Button>
  );
}

export function QueryCard({ children, actions }: { children: ReactNode; actions: ReactNode }) {
  return (
    <Card size="small" className="mf-card">
      <div className="mf-an-form">
        {children}
        <div className="mf-an-actions">{actions}</div>
      </div>
    </Card>
  );
}

/**
 * The result area: error, "run a query" hint, or the chart and table. With the `model` and the `query` that
 * produced the shown result it offers 保存分析 (save / pin to a dashboard) and a CSV export the server builds
 * and audits. `saved` is the analysis the page was opened from (`?saved=<id>`), if any.
 */
export function ResultCard({
  title,
  error,
  hasData,
  loading,
  model,
  query,
  saved,
  extra,
  children,
}: {
  title: ReactNode;
  error?: unknown;
  hasData: boolean;
  loading: boolean;
  model?: AnalysisModel;
  query?: AnyQuery;
  saved?: SavedLoad;
  extra?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [exporting, setExporting] = useState(false);
  const [saving, setSaving] = useState(false);
  const [savedNow, setSavedNow] = useState<SavedAnalysis>();
  const loaded = savedNow ?? saved?.analysis;
  const ready = hasData && !!model && !!query;
  const exportCsv = async () => {
    if (!model || !query) return;
    setExporting(true);
    try {
      await exportAnalysisCsv(model, query);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setExporting(false);
    }
  };
  return (
    <Card
      size="small"
      className="mf-card"
      title={
        <Space size={8}>
          {title}
          {loaded && (
            <Tag color="blue" data-testid="an-saved-name">
              {loaded.name}
            </Tag>
          )}
        </Space>
      }
      loading={loading && !hasData}
      extra={
        <Space>
          {extra}
          {ready && (
            <Button size="small" icon={<SaveOutlined />} onClick={() => setSaving(true)} data-testid="an-save">
              {t('dash.save.button')}
            </Button>
          )}
          {ready && (
            <Button size="small" icon={<DownloadOutlined />} loading={exporting} onClick={exportCsv} data-testid="an-export-csv">
              {t('an.exportCsv')}
            </Button>
          )}
        </Space>
      }
    >
      {saved?.error !== undefined && <ErrorAlert error={saved.error} />}
      {error !== undefined && <ErrorAlert error={error} />}
      {!hasData && error === undefined ? (
        <Empty description={t('an.runHint')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        hasData && <div style={{ opacity: loading ? 0.5 : 1 }}>{children}</div>
      )}
      {saving && model && query && (
        <SaveAnalysisModal model={model} query={query} loaded={loaded} onClose={() => setSaving(false)} onSaved={setSavedNow} />
      )}
    </Card>
  );
}

export function Stat({ label, value }: { label: ReactNode; value: ReactNode }) {
  return (
    <div className="mf-an-stat">
      <Typography.Text type="secondary">{label}</Typography.Text>
      <div className="mf-an-stat-value mf-num">{value}</div>
    </div>
  );
}
