import { Alert, Button, Card, DatePicker, Form, Input, InputNumber, Select, Space, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { type MessageKey, useT } from '../../i18n';
import { policyApi, type CheckRead, type CheckWrite } from './api';
import { reasonText, channelOptions, lineOptions } from './ruleForm';

/** 试算: would a message go to a customer now? Read only. */
interface CheckForm extends Omit<CheckWrite, 'at'> {
  at?: Dayjs | null;
}

export function CheckTab() {
  const t = useT();
  const [result, setResult] = useState<CheckRead | null>(null);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [running, setRunning] = useState(false);
  const run = async (v: CheckForm) => {
    setRunning(true);
    setFailure(undefined);
    try {
      setResult(await policyApi.check({ ...v, customer_id: v.customer_id.trim(), at: v.at ? v.at.toISOString() : null }));
    } catch (err) {
      setResult(null);
      setFailure(err);
    } finally {
      setRunning(false);
    }
  };
  return (
    <>
      <Alert type="info" showIcon title={t('policy.check.note')} style={{ marginBottom: 12 }} />
      <Form<CheckForm>
        name="policyCheck"
        layout="inline"
        onFinish={run}
        initialValues={{ channel: 'sms', purpose: 'marketing', business_line: 'retail', priority: 100 }}
      >
        <Form.Item name="customer_id" label={t('policy.check.customer')} rules={[{ required: true, whitespace: true, max: 64 }]}>
          <Input style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="channel" label={t('policy.form.channel')}>
          <Select style={{ width: 140 }} options={channelOptions(t, false)} />
        </Form.Item>
        <Form.Item name="purpose">
          <Select
            style={{ width: 110 }}
            options={(['marketing', 'service'] as const).map((p) => ({ value: p, label: t(`policy.purpose.${p}` as MessageKey) }))}
          />
        </Form.Item>
        <Form.Item name="business_line" label={t('policy.form.businessLine')}>
          <Select style={{ width: 120 }} options={lineOptions(t, false)} />
        </Form.Item>
        <Form.Item name="priority" label={t('policy.check.priority')}>
          <InputNumber min={0} max={10000} precision={0} />
        </Form.Item>
        <Form.Item name="at" label={t('policy.check.at')}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={running} data-testid="policy-check-run">
          {t('policy.check.run')}
        </Button>
      </Form>
      {failure !== undefined && <ErrorAlert error={failure} />}
      {result && (
        <Card size="small" style={{ marginTop: 16 }} data-testid="policy-check-result">
          <Space orientation="vertical">
            <Space>
              <Tag color={result.verdict === 'allow' ? 'green' : result.verdict === 'defer' ? 'gold' : 'red'}>
                {t(`policy.verdict.${result.verdict}` as MessageKey)}
              </Tag>
              <span>{reasonText(t, result.reason)}</span>
              {result.until && <span>{t('policy.check.until', { at: formatDateTime(result.until) })}</span>}
            </Space>
            {result.usage.length === 0 ? (
              <Typography.Text type="secondary">{t('policy.check.noCaps')}</Typography.Text>
            ) : (
              result.usage.map((u) => (
                <span key={u.rule_id}>{t('policy.check.usage', { name: u.name, used: u.used, limit: u.limit })}</span>
              ))
            )}
          </Space>
        </Card>
      )}
    </>
  );
}
