import { Form, Input, InputNumber, Modal, Select } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { useI18n } from '../../i18n';
import { benefitsApi, type Benefit, type Pool } from './api';
import { toFen } from './format';

interface Values {
  benefit_id?: number;
  campaign_id?: number;
  org_code?: string;
  stock: number;
  budget: number;
}

/** Sets a benefit's stock and budget in a campaign, or (with a parent) hands a share of it to an org below. */
export function PoolForm({ open, parent, benefits, onClose, onSaved }: {
  open: boolean;
  parent?: Pool;
  benefits: Benefit[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    setError(null);
    try {
      if (parent) {
        await benefitsApi.allocate(parent.id, { org_code: v.org_code ?? '', stock: v.stock, budget_fen: toFen(v.budget) });
      } else {
        await benefitsApi.createPool({ benefit_id: v.benefit_id ?? 0, campaign_id: v.campaign_id ?? 0, stock: v.stock,
          budget_fen: toFen(v.budget) });
      }
      form.resetFields();
      onSaved();
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open={open} title={t(parent ? 'benefits.pool.allocate' : 'benefits.pool.new')} onCancel={onClose}
      onOk={() => void submit()} confirmLoading={saving} okText={t('common.ok')} cancelText={t('common.cancel')}
      destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ campaign_id: 0 }}>
        {parent ? (
          <Form.Item name="org_code" label={t('benefits.pool.toOrg')} rules={[{ required: true, max: 64 }]}>
            <Input data-testid="pool-org" />
          </Form.Item>
        ) : (
          <>
            <Form.Item name="benefit_id" label={t('benefits.pool.benefit')} rules={[{ required: true }]}>
              <Select data-testid="pool-benefit" options={benefits.filter((b) => b.status === 'active').map((b) => ({ value: b.id, label: b.name }))} />
            </Form.Item>
            <Form.Item name="campaign_id" label={t('benefits.pool.campaign')}>
              <InputNumber min={0} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </>
        )}
        <Form.Item name="stock" label={t('benefits.pool.stock')} rules={[{ required: true }]}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid="pool-stock" />
        </Form.Item>
        <Form.Item name="budget" label={t('benefits.pool.budget')} rules={[{ required: true }]}>
          <InputNumber min={0} precision={2} style={{ width: '100%' }} data-testid="pool-budget" />
        </Form.Item>
        {error && <div className="ant-form-item-explain-error" role="alert">{error}</div>}
      </Form>
    </Modal>
  );
}
