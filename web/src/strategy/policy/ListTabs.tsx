import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { errorMessage, serverFieldErrors } from '../../api/errors';
import { useActorName } from '../../common/actor';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { type MessageKey, useT } from '../../i18n';
import { policyApi, type DncEntry, type OptOut, type Suppression } from './api';
import { reasonText, channelName } from './ruleForm';

/** Customer lists of the contact policy, each inside the viewer's scope: do-not-contact, opt-outs, suppressions. */
export function DncTab() {
  const t = useT();
  const actor = useActorName();
  const { message } = App.useApp();
  const [filter, setFilter] = useState('');
  const { data, error, loading, reload } = useApi((signal) => policyApi.dnc(filter, signal), [filter]);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<{ customer_id: string; reason: string }>();

  const add = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await policyApi.addDnc(v.customer_id.trim(), v.reason.trim());
      message.success(t('policy.dnc.added'));
      setAdding(false);
      form.resetFields();
      reload();
    } catch (err) {
      const byField = serverFieldErrors(err);
      if (byField.customer_id) form.setFields([{ name: 'customer_id', errors: byField.customer_id }]);
      else message.error(errorMessage(err, t));
    }
  };

  const remove = async (id: string) => {
    try {
      await policyApi.removeDnc(id);
      message.success(t('policy.dnc.removed'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const columns: ColumnsType<DncEntry> = [
    { title: t('policy.col.customer'), key: 'c', render: (_: unknown, r) => `${r.customer_id} ${r.customer_name ?? ''}` },
    { title: t('policy.dnc.reason'), dataIndex: 'reason' },
    { title: t('policy.dnc.addedBy'), dataIndex: 'added_by', width: 120, render: actor },
    { title: t('policy.dnc.addedAt'), dataIndex: 'added_at', width: 160, render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_: unknown, r) => (
        <Popconfirm
          title={t('policy.dnc.confirmRemove', { id: r.customer_id })}
          okText={t('policy.dnc.remove')}
          cancelText={t('common.cancel')}
          onConfirm={() => remove(r.customer_id)}
        >
          <Button type="link" size="small">
            {t('policy.dnc.remove')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <>
      <Alert type="info" showIcon title={t('policy.dnc.note')} style={{ marginBottom: 12 }} />
      <Space style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('policy.filter.customer')} onSearch={(v) => setFilter(v.trim())} style={{ width: 240 }} />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="policy-dnc-add">
          {t('policy.dnc.add')}
        </Button>
      </Space>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<DncEntry> rowKey="customer_id" size="small" columns={columns} dataSource={data ?? []} loading={loading} />
      <Modal
        open={adding}
        title={t('policy.dnc.add')}
        onOk={add}
        onCancel={() => setAdding(false)}
        okText={t('common.ok')}
        cancelText={t('common.cancel')}
      >
        <Form form={form} name="policyDnc" layout="vertical">
          <Form.Item name="customer_id" label={t('policy.dnc.customer')} rules={[{ required: true, whitespace: true, max: 64 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="reason" label={t('policy.dnc.reason')} rules={[{ required: true, whitespace: true, max: 200 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export function OptOutsTab() {
  const t = useT();
  const [filter, setFilter] = useState('');
  const { data, error, loading, reload } = useApi((signal) => policyApi.optOuts(filter, signal), [filter]);
  const columns: ColumnsType<OptOut> = [
    { title: t('policy.col.customer'), key: 'c', render: (_: unknown, r) => `${r.customer_id} ${r.customer_name ?? ''}` },
    { title: t('policy.col.channel'), dataIndex: 'channel', width: 120, render: (v: string) => channelName(t, v) },
    { title: t('policy.col.purpose'), dataIndex: 'purpose', width: 100, render: (v: string) => t(`policy.purpose.${v}` as MessageKey) },
    { title: t('policy.col.source'), dataIndex: 'source', width: 140 },
    { title: t('policy.col.at'), dataIndex: 'at', width: 160, render: (v: string) => formatDateTime(v) },
  ];
  return (
    <>
      <Input.Search allowClear placeholder={t('policy.filter.customer')} onSearch={(v) => setFilter(v.trim())} style={{ width: 240, marginBottom: 12 }} />
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<OptOut> rowKey={(r) => `${r.customer_id}:${r.channel}:${r.purpose}`} size="small" columns={columns} dataSource={data ?? []} loading={loading} />
    </>
  );
}

export function SuppressionsTab() {
  const t = useT();
  const [customer, setCustomer] = useState('');
  const [strategy, setStrategy] = useState<number | null>(null);
  const { data, error, loading, reload } = useApi(
    (signal) => policyApi.suppressions({ customerId: customer, strategyId: strategy }, signal),
    [customer, strategy],
  );
  const columns: ColumnsType<Suppression> = [
    { title: t('policy.col.customer'), key: 'c', render: (_: unknown, r) => `${r.customer_id} ${r.customer_name ?? ''}` },
    { title: t('policy.col.channel'), dataIndex: 'channel', width: 110, render: (v: string) => channelName(t, v) },
    {
      title: t('policy.col.strategy'),
      key: 's',
      width: 120,
      render: (_: unknown, r) => [r.strategy_id, r.campaign_id].map((v) => v ?? '—').join(' / '),
    },
    {
      title: t('policy.col.verdict'),
      dataIndex: 'verdict',
      width: 80,
      render: (v: string) => <Tag color={v === 'defer' ? 'gold' : 'red'}>{t(`policy.verdict.${v}` as MessageKey)}</Tag>,
    },
    { title: t('policy.col.reason'), dataIndex: 'reason', render: (v: string) => reasonText(t, v) },
    { title: t('policy.col.until'), dataIndex: 'until', width: 160, render: (v: string | null) => formatDateTime(v) },
    { title: t('policy.col.at'), dataIndex: 'at', width: 160, render: (v: string) => formatDateTime(v) },
  ];
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder={t('policy.filter.customer')} onSearch={(v) => setCustomer(v.trim())} style={{ width: 220 }} />
        <InputNumber placeholder={t('policy.filter.strategy')} min={1} precision={0} value={strategy} onChange={(v) => setStrategy(v)} style={{ width: 180 }} />
      </Space>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<Suppression>
        rowKey={(r) => `${r.customer_id}:${r.at}:${r.channel}:${r.reason}:${r.strategy_id}`}
        size="small"
        columns={columns}
        dataSource={data ?? []}
        loading={loading}
      />
    </>
  );
}
