import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ButtonProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState, type HTMLAttributes } from 'react';
import { Link } from 'react-router';
import { orgsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import { segmentsApi } from '../../api/insight';
import { setsApi, type SegmentSetCreate, type SegmentSetRead } from '../../api/ml';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { SetDetail } from './SetDetail';
import { useActorName } from '../../common/actor';

export default function SegmentSetsPage() {
  const { t } = useI18n();
  const actor = useActorName();
  const { can } = useAuth();
  const { message } = App.useApp();
  const editor = can(PERM_CAMPAIGN_EDIT);
  const { data, error, loading, reload } = useApi((signal) => setsApi.list(signal), []);
  const [creating, setCreating] = useState(false);
  const [sharing, setSharing] = useState<SegmentSetRead>();
  const [busy, setBusy] = useState(false);
  const [createForm] = Form.useForm<SegmentSetCreate>();
  const [shareForm] = Form.useForm<{ all: boolean; org_codes: string[] }>();
  const segments = useApi((signal) => (creating && editor ? segmentsApi.list(signal) : Promise.resolve(undefined)), [creating, editor]);
  const orgs = useApi((signal) => (sharing ? orgsApi.list(signal) : Promise.resolve(undefined)), [sharing?.id]);
  const shareAll = Form.useWatch('all', shareForm);

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      message.success(ok);
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const create = async () => {
    const values = await createForm.validateFields();
    setBusy(true);
    try {
      await setsApi.create({ name: values.name.trim(), strategy: values.strategy ?? '', segment_ids: values.segment_ids ?? [] });
      message.success(t('sets.created'));
      setCreating(false);
      createForm.resetFields();
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const share = async () => {
    if (!sharing) return;
    const values = shareForm.getFieldsValue();
    setBusy(true);
    try {
      await setsApi.share(sharing.id, { all: !!values.all, org_codes: values.all ? [] : values.org_codes ?? [] });
      message.success(t('sets.shared'));
      setSharing(undefined);
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const columns: ColumnsType<SegmentSetRead> = [
    {
      title: t('sets.col.name'),
      dataIndex: 'name',
      width: 240,
      render: (name: string, s) => (
        <div>
          <Typography.Text strong>{name}</Typography.Text>
          {s.strategy && (
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'pre-wrap' }}>{s.strategy}</Typography.Text>
            </div>
          )}
        </div>
      ),
    },
    {
      title: t('sets.col.segments'),
      key: 'segments',
      render: (_: unknown, s) => (
        <Space size={[4, 4]} wrap>
          {s.segments.map((g) => (
            <Tag key={g.id}>
              <Link to={`/insight/segments/${g.id}`}>{g.name}</Link>{' '}
              <span className="mf-num">{g.count === null ? '—' : g.count.toLocaleString('en-US')}</span>
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: t('sets.col.owner'), dataIndex: 'owner_org', width: 110, render: (v: string) => <span className="mf-mono">{v}</span> },
    {
      title: t('sets.col.shared'),
      key: 'shared',
      width: 160,
      render: (_: unknown, s) => (s.share_all ? <Tag color="blue">{t('sets.shareAll')}</Tag> : s.shared_with.length ? s.shared_with.join('、') : '—'),
    },
    {
      title: t('sets.col.refs'),
      dataIndex: 'reference_count',
      width: 90,
      align: 'right',
      render: (n: number, s) => <span className="mf-num" data-testid={`set-refs-${s.id}`}>{n}</span>,
    },
    { title: t('sets.col.createdBy'), dataIndex: 'created_by', width: 100, render: actor },
    { title: t('sets.col.created'), dataIndex: 'created_at', width: 160, render: (d: string) => formatDateTime(d) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 170,
      render: (_: unknown, s) => (
        <Space size={4}>
          {s.owned && editor && (
            <Button
              size="small"
              type="link"
              data-testid={`set-share-${s.id}`}
              onClick={() => {
                shareForm.setFieldsValue({ all: s.share_all, org_codes: s.shared_with });
                setSharing(s);
              }}
            >
              {t('sets.share')}
            </Button>
          )}
          {!s.owned &&
            (s.referenced_by_me ? (
              <Button size="small" type="link" data-testid={`set-unref-${s.id}`} onClick={() => act(() => setsApi.unreference(s.id), t('sets.unreferenced'))}>
                {t('sets.unreference')}
              </Button>
            ) : (
              <Button size="small" type="link" data-testid={`set-ref-${s.id}`} onClick={() => act(() => setsApi.reference(s.id), t('sets.referenced'))}>
                {t('sets.reference')}
              </Button>
            ))}
          {s.owned && editor && (
            <Popconfirm title={t('sets.confirmDelete', { name: s.name })} onConfirm={() => act(() => setsApi.remove(s.id), t('sets.deleted'))}>
              <Button size="small" type="link" danger icon={<DeleteOutlined />} aria-label={t('sets.delete')} />
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('sets.title')}
        subtitle={t('sets.subtitle')}
        extra={
          editor && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="set-new">
              {t('sets.new')}
            </Button>
          )
        }
      />
      <Card variant="borderless" className="mf-card">
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<SegmentSetRead>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={data ?? []}
          loading={loading}
          scroll={{ x: 1100 }}
          locale={{ emptyText: loading ? ' ' : t('sets.empty') }}
          onRow={(s) => ({ 'data-testid': `set-row-${s.id}` }) as HTMLAttributes<HTMLElement>}
          expandable={{
            expandedRowRender: (s) => <SetDetail setId={s.id} />,
            rowExpandable: (s) => s.segments.length > 0,
          }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="set-table"
        />
      </Card>

      <Modal
        open={creating}
        title={t('sets.new')}
        onCancel={() => setCreating(false)}
        onOk={create}
        confirmLoading={busy}
        destroyOnHidden
        okButtonProps={{ 'data-testid': 'set-create-confirm' } as ButtonProps}
      >
        <Form form={createForm} layout="vertical" preserve={false}>
          <Form.Item name="name" label={t('sets.col.name')} rules={[{ required: true, whitespace: true, message: t('sets.nameRequired') }]}>
            <Input maxLength={128} data-testid="set-name" />
          </Form.Item>
          <Form.Item name="segment_ids" label={t('sets.col.segments')}>
            <Select
              mode="multiple"
              loading={segments.loading}
              optionFilterProp="label"
              data-testid="set-segments"
              options={(segments.data?.items ?? []).filter((s) => s.editable).map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
          <Form.Item name="strategy" label={t('sets.strategy')} extra={t('sets.strategyHelp')}>
            <Input.TextArea rows={4} maxLength={5000} data-testid="set-strategy" />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={sharing !== undefined}
        title={t('sets.shareTitle', { name: sharing?.name ?? '' })}
        onCancel={() => setSharing(undefined)}
        onOk={share}
        confirmLoading={busy}
        okButtonProps={{ 'data-testid': 'set-share-confirm' } as ButtonProps}
      >
        <Form form={shareForm} layout="vertical">
          <Form.Item name="all" label={t('sets.shareAll')} valuePropName="checked">
            <Switch data-testid="set-share-all" />
          </Form.Item>
          {!shareAll && (
            <Form.Item name="org_codes" label={t('sets.shareOrgs')}>
              <Select
                mode="multiple"
                showSearch
                optionFilterProp="label"
                loading={orgs.loading}
                options={(orgs.data?.items ?? []).map((o) => ({ value: o.code, label: `${o.name}（${o.code}）` }))}
                data-testid="set-share-orgs"
              />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
