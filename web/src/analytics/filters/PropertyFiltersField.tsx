import { CloseOutlined, FilterOutlined } from '@ant-design/icons';
import { Button, Select, Space, Typography } from 'antd';
import type { AnalyticsOp, AnalyticsPropertyFilter } from '../../api/analytics';
import type { Catalogue, Value } from '../../api/insight';
import { valueForOp } from '../../common/conditionValues';
import { ValueInput } from '../../common/ValueInput';
import { useI18n, type MessageKey } from '../../i18n';
import { propertyLabel } from '../../insight/segments/labels';
import { newPropertyFilter, propertiesOf, propertyOps } from './filters';

const MAX_FILTERS = 20;

/**
 * Conditions on the properties of one event ("且 amount ≥ 1000"), for an event picker that maps to an
 * `EventSpec`. Properties come from the catalogue entry of that event; the value input offers the
 * catalogue's known values when there are some.
 */
export function PropertyFiltersField({
  catalogue,
  event,
  value,
  onChange,
  index,
}: {
  catalogue?: Catalogue;
  event: string;
  value: AnalyticsPropertyFilter[] | undefined;
  onChange: (filters: AnalyticsPropertyFilter[]) => void;
  /** Tells the pickers of a page apart in test ids: `an-prop-filters-<index>`. */
  index: number | string;
}) {
  const { t, lang } = useI18n();
  const filters = value ?? [];
  const properties = propertiesOf(catalogue, event);
  const set = (i: number, patch: Partial<AnalyticsPropertyFilter>) => onChange(filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <div className="mf-cond-filters mf-an-prop-filters" data-testid={`an-prop-filters-${index}`}>
      {filters.map((f, i) => {
        const field = properties.find((p) => p.key === f.property);
        return (
          <Space key={i} size={4} wrap>
            <Typography.Text type="secondary" className="mf-an-prop-and">
              {t('anf.and')}
            </Typography.Text>
            <span data-testid={`an-prop-filter-${i}-property`} className="mf-cond-field">
              <Select
                size="small"
                value={f.property || undefined}
                placeholder={t('anf.pickProperty')}
                showSearch
                optionFilterProp="title"
                popupMatchSelectWidth={false}
                style={{ width: 130 }}
                options={properties.map((p) => ({ value: p.key, label: propertyLabel(lang, p), title: `${propertyLabel(lang, p)} · ${p.key}` }))}
                onChange={(key: string) => {
                  const p = properties.find((x) => x.key === key);
                  const op = propertyOps(p?.type)[0];
                  set(i, { property: key, op, value: valueForOp(p, op, null) as AnalyticsPropertyFilter['value'] });
                }}
              />
            </span>
            <span data-testid={`an-prop-filter-${i}-op`} className="mf-cond-field">
              <Select
                size="small"
                value={f.op}
                style={{ width: 100 }}
                disabled={!field}
                popupMatchSelectWidth={false}
                options={propertyOps(field?.type).map((op) => ({ value: op, label: t(`op.${op}` as MessageKey) }))}
                onChange={(op: AnalyticsOp) => set(i, { op, value: valueForOp(field, op, (f.value ?? null) as Value) as AnalyticsPropertyFilter['value'] })}
              />
            </span>
            <ValueInput
              field={field}
              op={f.op}
              value={(f.value ?? null) as Value}
              onChange={(v) => set(i, { value: v as AnalyticsPropertyFilter['value'] })}
              testId={`an-prop-filter-${i}-value`}
              size="small"
              suggest={f.property ? { source: 'events', event, key: f.property } : undefined}
            />
            <Button
              size="small"
              type="text"
              icon={<CloseOutlined />}
              aria-label={t('anf.remove')}
              onClick={() => onChange(filters.filter((_, j) => j !== i))}
              data-testid={`an-prop-filter-${i}-remove`}
            />
          </Space>
        );
      })}
      {event && properties.length > 0 && filters.length < MAX_FILTERS && (
        <Button
          size="small"
          type="link"
          icon={<FilterOutlined />}
          className="mf-an-prop-add"
          onClick={() => onChange([...filters, newPropertyFilter(properties)])}
          data-testid="an-prop-filter-add"
        >
          {t('anf.addPropFilter')}
        </Button>
      )}
    </div>
  );
}
