import { CloseOutlined, PlusOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Select, Space, Tooltip, Typography } from 'antd';
import { ANALYTICS_ATTRIBUTES, type FunnelMode } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { useI18n } from '../../i18n';
import { attributeLabel, propertyLabel } from '../../insight/segments/labels';
import { EventPicker, Field } from '../common';
import { propertiesOf, type ExclusionRow } from './filters';
import { PropertyFiltersField } from './PropertyFiltersField';

const MAX_EXCLUSIONS = 5;

/**
 * 排除事件 of an ordered funnel: an event (with its property filters) that, when it happens between step
 * i and step j of an attempt, ends that attempt there. Other modes ignore exclusions (the backend refuses
 * them), so the rows stay but are not sent and a hint says so.
 */
export function FunnelExclusionsField({
  catalogue,
  value,
  onChange,
  steps,
  mode,
}: {
  catalogue?: Catalogue;
  value: ExclusionRow[];
  onChange: (rows: ExclusionRow[]) => void;
  steps: number;
  mode: FunnelMode;
}) {
  const { t } = useI18n();
  const ordered = mode === 'ordered';
  const set = (i: number, patch: Partial<ExclusionRow>) => onChange(value.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const stepOptions = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, k) => ({ value: from + k, label: t('anf.stepN', { n: from + k }) }));
  return (
    <Field label={t('anf.exclusions')}>
      <Space orientation="vertical" size={4}>
        {value.map((x, i) => (
          <div key={i} className="mf-an-event-block" data-testid={`funnel-exclusion-${i}`} style={{ opacity: ordered ? 1 : 0.5 }}>
            <Space size={4} wrap>
              <StopOutlined style={{ color: '#dc2626' }} />
              <EventPicker
                catalogue={catalogue}
                value={x.event}
                width={170}
                onChange={(event) => set(i, { event, filters: [] })}
                testId={`funnel-exclusion-${i}-event`}
              />
              <Typography.Text type="secondary">{t('anf.exclBetween')}</Typography.Text>
              <span data-testid={`funnel-exclusion-${i}-from`} className="mf-cond-field">
                <Select
                  value={x.from_step}
                  style={{ width: 90 }}
                  options={stepOptions(1, Math.max(1, x.to_step - 1))}
                  onChange={(from_step: number) => set(i, { from_step })}
                />
              </span>
              <Typography.Text type="secondary">{t('anf.exclAnd')}</Typography.Text>
              <span data-testid={`funnel-exclusion-${i}-to`} className="mf-cond-field">
                <Select
                  value={x.to_step}
                  style={{ width: 90 }}
                  options={stepOptions(x.from_step + 1, steps)}
                  onChange={(to_step: number) => set(i, { to_step })}
                />
              </span>
              <Typography.Text type="secondary">{t('anf.exclAfter')}</Typography.Text>
              <Button
                size="small"
                type="text"
                icon={<CloseOutlined />}
                aria-label={t('anf.remove')}
                onClick={() => onChange(value.filter((_, j) => j !== i))}
                data-testid={`funnel-exclusion-${i}-remove`}
              />
            </Space>
            <PropertyFiltersField catalogue={catalogue} event={x.event} value={x.filters} onChange={(filters) => set(i, { filters })} index={`x${i}`} />
          </div>
        ))}
        {!ordered && value.length > 0 && (
          <Typography.Text type="warning" style={{ fontSize: 12 }}>
            {t('anf.exclOrderedOnly')}
          </Typography.Text>
        )}
        {value.length < MAX_EXCLUSIONS && (
          <Tooltip title={ordered ? undefined : t('anf.exclOrderedOnly')}>
            <Button
              size="small"
              type="dashed"
              icon={<PlusOutlined />}
              disabled={!ordered}
              onClick={() => onChange([...value, { event: '', filters: [], from_step: 1, to_step: steps }])}
              data-testid="funnel-exclusion-add"
            >
              {t('anf.addExclusion')}
            </Button>
          </Tooltip>
        )}
      </Space>
    </Field>
  );
}

/** 分组 of a funnel: a customer attribute, or a property of the first step's event (`attribute:x` / `property:y`). */
export function FunnelGroupByField({
  catalogue,
  firstEvent,
  value,
  onChange,
}: {
  catalogue?: Catalogue;
  firstEvent?: string;
  value?: string;
  onChange: (v?: string) => void;
}) {
  const { t, lang } = useI18n();
  const props = propertiesOf(catalogue, firstEvent);
  return (
    <Field label={t('an.groupBy')}>
      <span data-testid="funnel-group-by" className="mf-cond-field">
        <Select
          value={value}
          onChange={onChange}
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('an.noGroup')}
          popupMatchSelectWidth={false}
          style={{ width: 180 }}
          options={[
            {
              label: t('anf.group.attributes'),
              options: ANALYTICS_ATTRIBUTES.map((a) => ({ value: `attribute:${a}`, label: attributeLabel(lang, a, catalogue) })),
            },
            ...(props.length
              ? [
                  {
                    label: <Tooltip title={t('anf.group.firstStepHint')}>{t('anf.group.firstStep')}</Tooltip>,
                    options: props.map((p) => ({
                      value: `property:${p.key}`,
                      label: propertyLabel(lang, p),
                      title: `${propertyLabel(lang, p)} · ${p.key}`,
                    })),
                  },
                ]
              : []),
          ]}
        />
      </span>
    </Field>
  );
}
