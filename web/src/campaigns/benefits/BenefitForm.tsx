import { Checkbox, DatePicker, Form, Input, InputNumber, Modal, Radio, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { useI18n } from '../../i18n';
import { benefitsApi, type BenefitCreate, type BenefitKind, type BenefitSpec } from './api';
import { toFen } from './format';

const KINDS: BenefitKind[] = ['full_reduction', 'discount', 'cash', 'points', 'rate_boost', 'physical'];

interface Values {
  name: string;
  kind: BenefitKind;
  threshold?: number;
  amount?: number;
  rate?: number;
  cap?: number;
  points?: number;
  boost_bp?: number;
  product_code?: string;
  days?: number;
  item?: string;
  mode: 'days' | 'fixed';
  valid_days?: number;
  range?: [Dayjs, Dayjs];
  limit: number;
  stackable: boolean;
  cost?: number;
  owner_org?: string;
}

function specOf(v: Values): BenefitSpec {
  switch (v.kind) {
    case 'full_reduction':
      return { kind: v.kind, threshold_fen: toFen(v.threshold ?? 0), amount_fen: toFen(v.amount ?? 0) };
    case 'discount':
      return { kind: v.kind, rate: v.rate ?? 0, cap_fen: toFen(v.cap ?? 0) };
    case 'cash':
      return { kind: v.kind, amount_fen: toFen(v.amount ?? 0) };
    case 'points':
      return { kind: v.kind, points: v.points ?? 0 };
    case 'rate_boost':
      return { kind: v.kind, boost_bp: v.boost_bp ?? 0, product_code: v.product_code ?? '', days: v.days ?? 0 };
    case 'physical':
      return { kind: v.kind, item: v.item ?? '' };
  }
}

/** The new-benefit dialog: kind-specific terms, validity, limit, stackability, cost and owner org. */
export function BenefitForm({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const kind = Form.useWatch('kind', form) ?? 'cash';
  const mode = Form.useWatch('mode', form) ?? 'days';
  const submit = async () => {
    const v = await form.validateFields();
    const body: BenefitCreate = {
      name: v.name,
      spec: specOf(v),
      per_customer_limit: v.limit,
      stackable: v.stackable,
      ...(v.mode === 'days'
        ? { valid_days: v.valid_days }
        : { valid_from: v.range?.[0].toISOString(), valid_to: v.range?.[1].toISOString() }),
      ...(v.cost != null ? { cost_fen: toFen(v.cost) } : {}),
      ...(v.owner_org ? { owner_org: v.owner_org } : {}),
    };
    setSaving(true);
    setError(null);
    try {
      await benefitsApi.create(body);
      form.resetFields();
      onCreated();
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };
  const money = { min: 0.01, precision: 2, style: { width: '100%' } };
  return (
    <Modal open={open} title={t('benefits.new')} onCancel={onClose} onOk={() => void submit()} confirmLoading={saving}
      okText={t('common.ok')} cancelText={t('common.cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ kind: 'cash', mode: 'days', valid_days: 30, limit: 1, stackable: false }}>
        <Form.Item name="name" label={t('benefits.form.name')} rules={[{ required: true, max: 64 }]}>
          <Input data-testid="benefit-name" />
        </Form.Item>
        <Form.Item name="kind" label={t('benefits.form.kind')}>
          <Select options={KINDS.map((k) => ({ value: k, label: t(`benefits.kind.${k}`) }))} />
        </Form.Item>
        {kind === 'full_reduction' && (
          <Form.Item name="threshold" label={t('benefits.form.threshold')} rules={[{ required: true }]}>
            <InputNumber {...money} min={0} />
          </Form.Item>
        )}
        {(kind === 'full_reduction' || kind === 'cash') && (
          <Form.Item name="amount" label={t('benefits.form.amount')} rules={[{ required: true }]}>
            <InputNumber {...money} data-testid="benefit-amount" />
          </Form.Item>
        )}
        {kind === 'discount' && (
          <>
            <Form.Item name="rate" label={t('benefits.form.rate')} rules={[{ required: true }]}>
              <InputNumber min={0.01} max={0.99} step={0.01} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="cap" label={t('benefits.form.cap')} rules={[{ required: true }]}>
              <InputNumber {...money} />
            </Form.Item>
          </>
        )}
        {kind === 'points' && (
          <Form.Item name="points" label={t('benefits.form.points')} rules={[{ required: true }]}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {kind === 'rate_boost' && (
          <>
            <Form.Item name="boost_bp" label={t('benefits.form.boostBp')} rules={[{ required: true }]}>
              <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="product_code" label={t('benefits.form.product')} rules={[{ required: true, max: 64 }]}>
              <Input />
            </Form.Item>
            <Form.Item name="days" label={t('benefits.form.boostDays')} rules={[{ required: true }]}>
              <InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </>
        )}
        {kind === 'physical' && (
          <Form.Item name="item" label={t('benefits.form.item')} rules={[{ required: true, max: 64 }]}>
            <Input />
          </Form.Item>
        )}
        <Form.Item name="mode" label={t('benefits.form.validityMode')}>
          <Radio.Group options={[
            { value: 'days', label: t('benefits.form.validityDays') },
            { value: 'fixed', label: t('benefits.form.validityFixed') },
          ]} />
        </Form.Item>
        {mode === 'days' ? (
          <Form.Item name="valid_days" label={t('benefits.form.validDays')} rules={[{ required: true }]}>
            <InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        ) : (
          <Form.Item name="range" label={t('benefits.form.validRange')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime style={{ width: '100%' }} />
          </Form.Item>
        )}
        <Form.Item name="limit" label={t('benefits.form.limit')}>
          <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="stackable" valuePropName="checked">
          <Checkbox>{t('benefits.form.stackable')}</Checkbox>
        </Form.Item>
        <Form.Item name="cost" label={t('benefits.form.cost')} extra={t('benefits.form.costHelp')}>
          <InputNumber {...money} min={0} />
        </Form.Item>
        <Form.Item name="owner_org" label={t('benefits.form.owner')}>
          <Input maxLength={64} />
        </Form.Item>
        {error && <div className="ant-form-item-explain-error" role="alert">{error}</div>}
      </Form>
    </Modal>
  );
}
