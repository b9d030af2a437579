import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Popconfirm, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { api } from '../api/client';
import { errorMessage, serverFieldErrors } from '../api/errors';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime, orDash } from '../common/format';
import { useApi } from '../common/useApi';
import { useT } from '../i18n';

interface OutboundHost {
  host: string;
  source: 'settings' | 'admin';
  created_by: string | null;
  created_at: string | null;
}

const PATH = '/api/admin/outbound-hosts';

/** Hosts on the bank's own network that alert webhooks (and channels) may call; everything else internal is refused. */
export function OutboundHostsCard() {
  const t = useT();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi(
    (signal) => api.get<{ items: OutboundHost[] }>(PATH, { signal }),
    [],
  );
  const [form] = Form.useForm<{ host: string }>();
  const [busy, setBusy] = useState(false);

  const add = async ({ host }: { host: string }) => {
    setBusy(true);
    try {
      await api.post(PATH, { host: host.trim() });
      form.resetFields();
      message.success(t('auth.outbound.added'));
      reload();
    } catch (err) {
      const onHost = serverFieldErrors(err).host;
      form.setFields([{ name: 'host', errors: onHost ?? [errorMessage(err, t)] }]);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (host: string) => {
    try {
      await api.del(`${PATH}/${encodeURIComponent(host)}`);
      message.success(t('auth.outbound.removed'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const columns: ColumnsType<OutboundHost> = [
    { title: t('auth.outbound.host'), dataIndex: 'host', render: (h: string) => <Typography.Text code>{h}</Typography.Text> },
    {
      title: t('auth.outbound.source'),
      dataIndex: 'source',
      width: 140,
      render: (s: OutboundHost['source']) => (
        <Tag color={s === 'settings' ? 'default' : 'blue'}>{t(s === 'settings' ? 'auth.outbound.fromSettings' : 'auth.outbound.fromAdmin')}</Tag>
      ),
    },
    { title: t('auth.outbound.by'), dataIndex: 'created_by', width: 140, render: (v: string | null) => orDash(v) },
    {
      title: t('auth.outbound.at'),
      dataIndex: 'created_at',
      width: 180,
      render: (v: string | null) => (v ? formatDateTime(v) : orDash(v)),
    },
    {
      title: t('auth.outbound.actions'),
      key: 'actions',
      width: 100,
      render: (_, row) =>
        row.source === 'admin' && (
          <Popconfirm title={t('auth.outbound.removeConfirm', { host: row.host })} onConfirm={() => remove(row.host)}>
            <Button type="link" size="small" danger data-testid={`outbound-remove-${row.host}`}>
              {t('auth.outbound.remove')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Card variant="borderless" className="mf-card" title={t('auth.outbound.title')} style={{ marginTop: 12 }}>
      <Typography.Paragraph type="secondary">{t('auth.outbound.note')}</Typography.Paragraph>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Form form={form} layout="inline" onFinish={add} style={{ marginBottom: 12 }}>
        <Form.Item name="host" rules={[{ required: true, whitespace: true, message: t('auth.outbound.hostRequired') }]}>
          <Input placeholder={t('auth.outbound.placeholder')} style={{ width: 320 }} maxLength={255} data-testid="outbound-host" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={busy} data-testid="outbound-add">
            {t('auth.outbound.add')}
          </Button>
        </Form.Item>
      </Form>
      <Table<OutboundHost>
        rowKey={(r) => `${r.source}:${r.host}`}
        size="small"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        pagination={false}
        locale={{ emptyText: t('auth.outbound.empty') }}
      />
    </Card>
  );
}
