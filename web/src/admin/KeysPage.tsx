import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Card, Form, Input, Modal, Popconfirm, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { adminApi } from '../api/endpoints';
import { errorMessage, fieldErrors } from '../api/errors';
import type { WriteKey, WriteKeyCreated } from '../api/types';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useT } from '../i18n';
import { applyFieldErrors } from './formErrors';
import { IngestStatusCard } from './IngestStatusCard';
import { KeyCreatedModal } from './KeyCreatedModal';
import { OutboundHostsCard } from './OutboundHostsCard';
import { useActorName } from '../common/actor';

interface KeyForm {
  name: string;
}

export default function KeysPage() {
  const t = useT();
  const actor = useActorName();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi((signal) => adminApi.keys(signal), []);
  const [form] = Form.useForm<KeyForm>();
  const [formOpen, setFormOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<WriteKeyCreated | null>(null);
  const [busyId, setBusyId] = useState<WriteKey['id'] | null>(null);

  const create = async () => {
    let values: KeyForm;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSubmitting(true);
    setFormError(null);
    try {
      const res = await adminApi.createKey(values.name.trim());
      setFormOpen(false);
      form.resetFields();
      setCreated(res);
      reload();
    } catch (err) {
      const unmatched = applyFieldErrors(form, err, ['name']);
      if (!Object.keys(fieldErrors(err)).length) setFormError(errorMessage(err, t));
      else if (unmatched.length) setFormError(unmatched.join('; '));
    } finally {
      setSubmitting(false);
    }
  };

  const revoke = async (key: WriteKey) => {
    setBusyId(key.id);
    try {
      await adminApi.revokeKey(key.id);
      message.success(t('admin.keys.revokedOk'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusyId(null);
    }
  };

  const columns: ColumnsType<WriteKey> = [
    { title: t('admin.keys.col.name'), dataIndex: 'name' },
    {
      title: t('admin.keys.col.prefix'),
      dataIndex: 'prefix',
      width: 180,
      render: (v: string) => <Typography.Text code>{v}…</Typography.Text>,
    },
    {
      title: t('admin.keys.col.status'),
      key: 'status',
      width: 220,
      render: (_: unknown, k) =>
        k.revoked_at ? (
          <Badge status="default" text={t('admin.keys.revokedAt', { ts: formatDateTime(k.revoked_at) })} />
        ) : (
          <Badge status="success" text={t('admin.keys.active')} />
        ),
    },
    { title: t('admin.keys.col.createdBy'), dataIndex: 'created_by', width: 120, render: actor },
    {
      title: t('admin.keys.col.createdAt'),
      dataIndex: 'created_at',
      width: 160,
      render: (v: string | null) => <span className="mf-num">{formatDateTime(v)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_: unknown, k) =>
        k.revoked_at ? null : (
          <Popconfirm
            title={t('admin.keys.confirmRevoke', { name: k.name })}
            okText={t('admin.keys.revoke')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
            onConfirm={() => revoke(k)}
            overlayStyle={{ maxWidth: 360 }}
          >
            <Button type="link" size="small" danger loading={busyId === k.id} data-testid={`key-revoke-${k.id}`}>
              {t('admin.keys.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('admin.keys.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setFormOpen(true)} data-testid="key-create">
            {t('admin.keys.create')}
          </Button>
        }
      />
      <IngestStatusCard />
      <Alert type="info" showIcon title={t('admin.keys.note')} style={{ marginBottom: 12 }} />
      <Card variant="borderless" className="mf-card">
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<WriteKey>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 860 }}
        />
      </Card>
      <Modal
        open={formOpen}
        title={t('admin.keys.create')}
        onOk={create}
        onCancel={() => setFormOpen(false)}
        okText={t('common.ok')}
        cancelText={t('common.cancel')}
        confirmLoading={submitting}
        destroyOnHidden
        afterClose={() => setFormError(null)}
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
        <Form<KeyForm> form={form} layout="vertical" preserve={false} onFinish={create}>
          <Form.Item
            name="name"
            label={t('admin.keys.form.name')}
            rules={[{ required: true, whitespace: true, message: t('admin.keys.form.nameRequired') }]}
          >
            <Input placeholder={t('admin.keys.form.namePlaceholder')} maxLength={100} data-testid="key-form-name" />
          </Form.Item>
        </Form>
      </Modal>
      <OutboundHostsCard />
      <KeyCreatedModal created={created} onClose={() => setCreated(null)} />
    </>
  );
}
