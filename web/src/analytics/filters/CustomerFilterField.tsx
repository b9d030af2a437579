import { CloseOutlined, DownOutlined, PlusOutlined, TeamOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, Dropdown, Input, Popover, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { useState } from 'react';
import { ANALYTICS_ATTRIBUTES } from '../../api/analytics';
import { segmentsApi, type Catalogue, type Value } from '../../api/insight';
import { valueForOp } from '../../common/conditionValues';
import { useApi } from '../../common/useApi';
import { ValueInput } from '../../common/ValueInput';
import { useI18n, type MessageKey } from '../../i18n';
import { attributeLabel } from '../../insight/segments/labels';
import { Field } from '../common';
import {
  attributeField,
  attributeOps,
  customersComplete,
  isEmptyCustomers,
  NO_CUSTOMER_FILTER,
  summarizeCustomers,
  type AttributeOp,
  type AttributeRow,
  type CustomerFilterState,
  type TagRow,
} from './filters';

type Kind = 'attribute' | 'tag' | 'segment';

/**
 * 分析对象: which customers an analysis looks at — conditions on customer attributes, tags and segments,
 * all of which must hold. The button shows a one-line summary ("全部客户" when there is no condition);
 * the conditions are edited in a popover.
 */
export function CustomerFilterField({
  catalogue,
  value,
  onChange,
}: {
  catalogue?: Catalogue;
  value: CustomerFilterState;
  onChange: (next: CustomerFilterState) => void;
}) {
  const { t, lang, tv } = useI18n();
  const [open, setOpen] = useState(false);
  const [showSegments, setShowSegments] = useState(false);
  // The segment list is fetched only once segments are in play (names for the summary, choices for the picker).
  const needSegments = showSegments || value.segment_ids.length > 0;
  const segments = useApi((signal) => (needSegments ? segmentsApi.list(signal) : Promise.resolve(undefined)), [needSegments]);
  const segmentName = (id: string) =>
    segments.data?.items.find((s) => String(s.id) === id)?.name ?? t('anf.segmentId', { id });
  const tagName = (key: string) => catalogue?.tags.find((x) => x.key === key)?.name ?? key;
  const summary = summarizeCustomers(value, {
    all: t('anf.allCustomers'),
    attribute: (k) => attributeLabel(lang, k, catalogue),
    op: (op) => t(`op.${op}` as MessageKey),
    tag: tagName,
    segment: segmentName,
    more: (n) => t('anf.more', { n }),
    pending: t('walk.conditionPending'),
  });
  const complete = customersComplete(value);

  const setAttr = (i: number, patch: Partial<AttributeRow>) =>
    onChange({ ...value, attributes: value.attributes.map((a, j) => (j === i ? { ...a, ...patch } : a)) });
  const setTag = (i: number, patch: Partial<TagRow>) =>
    onChange({ ...value, tags: value.tags.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  const add = (kind: Kind) => {
    if (kind === 'attribute') onChange({ ...value, attributes: [...value.attributes, { attribute: '', op: 'eq', value: null }] });
    else if (kind === 'tag') onChange({ ...value, tags: [...value.tags, { tag: '', value: null }] });
    else setShowSegments(true);
  };
  const menu: MenuProps['items'] = (['attribute', 'tag', 'segment'] as const).map((kind) => ({
    key: kind,
    disabled: (kind === 'attribute' && value.attributes.length >= 20) || (kind === 'tag' && value.tags.length >= 10),
    label: <span data-testid={`an-customers-add-${kind}`}>{t(`anf.kind.${kind}`)}</span>,
  }));
  const families = [...new Set((catalogue?.tags ?? []).map((x) => x.family))];

  const editor = (
    <div className="mf-an-customers" data-testid="an-customers-editor">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
        {t('anf.customersHint')}
      </Typography.Paragraph>
      <Space orientation="vertical" size={6} style={{ width: '100%' }}>
        {value.attributes.map((a, i) => (
          <Space key={`a${i}`} size={4} wrap>
            <Tag className="mf-cond-kind">{t('anf.kind.attribute')}</Tag>
            <span data-testid={`an-customers-attr-${i}`} className="mf-cond-field">
              <Select
                size="small"
                value={a.attribute || undefined}
                placeholder={t('anf.pickAttribute')}
                showSearch
                optionFilterProp="label"
                style={{ width: 130 }}
                options={ANALYTICS_ATTRIBUTES.map((k) => ({ value: k, label: attributeLabel(lang, k, catalogue) }))}
                onChange={(attribute: string) => {
                  const op = attributeOps(attribute)[0];
                  setAttr(i, { attribute, op, value: valueForOp(attributeField(attribute, catalogue), op, null) });
                }}
              />
            </span>
            <span data-testid={`an-customers-attr-${i}-op`} className="mf-cond-field">
              <Select
                size="small"
                // No operator code (eq) before an attribute is chosen: the operators depend on it.
                value={a.attribute ? a.op : undefined}
                disabled={!a.attribute}
                style={{ width: 100 }}
                popupMatchSelectWidth={false}
                options={(a.attribute ? attributeOps(a.attribute) : []).map((op) => ({ value: op, label: t(`op.${op}` as MessageKey) }))}
                onChange={(op: AttributeOp) => setAttr(i, { op, value: valueForOp(attributeField(a.attribute, catalogue), op, a.value) })}
              />
            </span>
            {a.attribute && (
              <ValueInput
                field={attributeField(a.attribute, catalogue)}
                op={a.op}
                value={a.value}
                onChange={(v: Value) => setAttr(i, { value: v })}
                testId={`an-customers-attr-${i}-value`}
                size="small"
                suggest={{ source: 'attribute', key: a.attribute }}
              />
            )}
            <RemoveButton onClick={() => onChange({ ...value, attributes: value.attributes.filter((_, j) => j !== i) })} />
          </Space>
        ))}
        {value.tags.map((x, i) => {
          const info = catalogue?.tags.find((g) => g.key === x.tag);
          return (
            <Space key={`t${i}`} size={4} wrap>
              <Tag className="mf-cond-kind">{t('anf.kind.tag')}</Tag>
              <span data-testid={`an-customers-tag-${i}`} className="mf-cond-field">
                <Select
                  size="small"
                  value={x.tag || undefined}
                  placeholder={t('anf.pickTag')}
                  showSearch
                  optionFilterProp="search"
                  popupMatchSelectWidth={false}
                  style={{ width: 170 }}
                  options={families.map((f) => ({
                    label: tv('tagFamily', f),
                    options: (catalogue?.tags ?? [])
                      .filter((g) => g.family === f)
                      .map((g) => ({ value: g.key, label: g.name, search: `${g.name} ${g.key}` })),
                  }))}
                  onChange={(tag: string) => setTag(i, { tag, value: null })}
                />
              </span>
              <span data-testid={`an-customers-tag-${i}-value`} className="mf-cond-field">
                {info?.values ? (
                  <Select
                    size="small"
                    value={x.value ?? undefined}
                    allowClear
                    placeholder={t('anf.anyTagValue')}
                    style={{ width: 140 }}
                    popupMatchSelectWidth={false}
                    options={info.values.map((v) => ({ value: v, label: v }))}
                    onChange={(v?: string) => setTag(i, { value: v ?? null })}
                  />
                ) : (
                  <Input
                    size="small"
                    value={x.value ?? ''}
                    placeholder={t('anf.anyTagValue')}
                    disabled={!x.tag}
                    maxLength={256}
                    style={{ width: 140 }}
                    onChange={(e) => setTag(i, { value: e.target.value || null })}
                  />
                )}
              </span>
              <RemoveButton onClick={() => onChange({ ...value, tags: value.tags.filter((_, j) => j !== i) })} />
            </Space>
          );
        })}
        {(showSegments || value.segment_ids.length > 0) && (
          <Space size={4} wrap>
            <Tag className="mf-cond-kind">{t('anf.segmentsLabel')}</Tag>
            <span data-testid="an-customers-segments" className="mf-cond-field">
              <Select
                size="small"
                mode="multiple"
                value={value.segment_ids}
                placeholder={segments.error ? t('anf.segmentsUnavailable') : t('anf.pickSegments')}
                status={segments.error ? 'warning' : undefined}
                loading={needSegments && segments.loading}
                showSearch
                optionFilterProp="label"
                maxCount={10}
                style={{ minWidth: 240 }}
                options={(segments.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
                onChange={(segment_ids: string[]) => onChange({ ...value, segment_ids })}
              />
            </span>
            <RemoveButton
              onClick={() => {
                setShowSegments(false);
                onChange({ ...value, segment_ids: [] });
              }}
            />
          </Space>
        )}
      </Space>
      <div className="mf-an-customers-foot">
        <Dropdown trigger={['click']} menu={{ items: menu, onClick: ({ key }) => add(key as Kind) }}>
          <Button size="small" type="dashed" icon={<PlusOutlined />} data-testid="an-customers-add">
            {t('anf.addCondition')} <DownOutlined />
          </Button>
        </Dropdown>
        <Space size={4}>
          {!isEmptyCustomers(value) && (
            <Button
              size="small"
              onClick={() => {
                setShowSegments(false);
                onChange(NO_CUSTOMER_FILTER);
              }}
              data-testid="an-customers-clear"
            >
              {t('anf.clear')}
            </Button>
          )}
          <Button size="small" type="primary" onClick={() => setOpen(false)} data-testid="an-customers-done">
            {t('anf.done')}
          </Button>
        </Space>
      </div>
    </div>
  );

  return (
    <Field label={t('anf.customers')}>
      <Popover
        open={open}
        onOpenChange={setOpen}
        trigger="click"
        placement="bottomLeft"
        title={t('anf.customersTitle')}
        content={editor}
        destroyOnHidden={false}
      >
        <Button
          icon={<TeamOutlined />}
          className="mf-an-customers-button"
          data-testid="an-customers"
          data-empty={isEmptyCustomers(value) ? '1' : '0'}
          title={summary}
        >
          <span className="mf-an-customers-summary">{summary}</span>
          {!complete && (
            <Tooltip title={t('anf.incomplete')}>
              <WarningOutlined style={{ color: '#d97706' }} />
            </Tooltip>
          )}
        </Button>
      </Popover>
    </Field>
  );
}

function RemoveButton({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  return <Button size="small" type="text" icon={<CloseOutlined />} aria-label={t('anf.remove')} onClick={onClick} />;
}
