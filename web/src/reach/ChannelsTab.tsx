import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { REACH, type ChannelKind, type ProviderKind, type ReachChannel } from '../api/reach';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { ChannelModal } from './ChannelModal';
import { yuan } from './channelForm';
import { channelKey } from './labels';

/** Channel configurations (administrators): provider, settings, secrets never shown, cost and rate; test send. */
export function ChannelsTab() {
  const { t, tv } = useI18n();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi((signal) => api.get<ReachChannel[]>(`${REACH}/channels`, { signal }), []);
  const kinds = useApi((signal) => api.get<ProviderKind[]>(`${REACH}/providers`, { signal }), []);
  const [editing, setEditing] = useState<ReachChannel | 'new' | null>(null);
  const [testing, setTesting] = useState<ReachChannel | null>(null);
  const [testForm] = Form.useForm<{ address: string; content: string }>();
  const [busy, setBusy] = useState(false);

  const remove = async (row: ReachChannel) => {
    try {
      await api.del(`${REACH}/channels/${row.id}`);
      message.success(t('reach.deleted'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const test = async () => {
    if (!testing) return;
    let values: { address: string; content: string };
    try {
      values = await testForm.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    try {
      const out = await api.post<{ accepted: boolean; reason: string | null; vendor_id: string | null }>(
        `${REACH}/channels/${testing.id}/test`,
        { address: values.address.trim(), content: values.content },
      );
      if (out.accepted) message.success(t('reach.test.accepted', { id: out.vendor_id ?? '—' }));
      else message.warning(t('reach.test.refused', { reason: tv('reach.reason', out.reason ?? '') }));
      setTesting(null);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const columns: ColumnsType<ReachChannel> = [
    { title: t('reach.col.id'), dataIndex: 'id', width: 60 },
    { title: t('reach.col.channel'), dataIndex: 'channel', width: 130, render: (c: ChannelKind) => t(channelKey(c)) },
    { title: t('reach.col.name'), dataIndex: 'name', width: 160 },
    {
      title: t('reach.col.provider'),
      dataIndex: 'provider',
      width: 240,
      render: (p: string, row) => (
        <Space>
          {tv('reach.provider', p)}
          {row.sandbox && <Tag color="purple">{t('reach.sandbox')}</Tag>}
        </Space>
      ),
    },
    { title: t('reach.col.cost'), dataIndex: 'unit_cost_fen', width: 90, render: (v: number) => yuan(v) },
    { title: t('reach.col.rate'), dataIndex: 'rate_per_second', width: 110 },
    { title: t('reach.col.active'), dataIndex: 'active', width: 70, render: (v: boolean) => (v ? t('reach.yes') : t('reach.no')) },
    {
      title: t('reach.col.callback'),
      dataIndex: 'callback_path',
      width: 300,
      render: (v: string | null) => (v ? <Typography.Text code copyable>{v}</Typography.Text> : '—'),
    },
    { title: t('reach.col.updated'), dataIndex: 'updated_at', width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t('reach.col.actions'),
      key: 'actions',
      width: 200,
      render: (_, row) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setEditing(row)}>
            {t('reach.edit')}
          </Button>
          {!['inbox', 'rm_task'].includes(row.provider) && (
            <Button type="link" size="small" onClick={() => setTesting(row)} data-testid={`reach-test-${row.id}`}>
              {t('reach.test')}
            </Button>
          )}
          <Popconfirm title={t('reach.deleteConfirm', { name: row.name })} onConfirm={() => remove(row)}>
            <Button type="link" size="small" danger>
              {t('reach.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      variant="borderless"
      className="mf-card"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="reach-add-channel">
          {t('reach.add')}
        </Button>
      }
    >
      <Alert type="info" showIcon message={t('reach.builtinNote')} style={{ marginBottom: 12 }} />
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<ReachChannel>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={data ?? []}
        loading={loading}
        pagination={false}
        scroll={{ x: 1500 }}
        locale={{ emptyText: t('reach.empty') }}
        data-testid="reach-channels"
      />
      {editing !== null && (
        <ChannelModal
          channel={editing === 'new' ? null : editing}
          kinds={kinds.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            message.success(t('reach.saved'));
            reload();
          }}
        />
      )}
      <Modal
        open={testing !== null}
        title={t('reach.test.title')}
        onCancel={() => setTesting(null)}
        onOk={test}
        confirmLoading={busy}
        okText={t('reach.test.send')}
        cancelText={t('reach.form.cancel')}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('reach.test.note')}</Typography.Paragraph>
        <Form form={testForm} layout="vertical" preserve={false}>
          <Form.Item name="address" label={t('reach.test.address')} rules={[{ required: true, whitespace: true, message: t('reach.form.required') }]}>
            <Input maxLength={128} />
          </Form.Item>
          <Form.Item name="content" label={t('reach.test.content')} rules={[{ required: true, message: t('reach.form.required') }]}>
            <Input.TextArea maxLength={500} rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
