import { PlusOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState, type HTMLAttributes } from 'react';
import { orgsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import { useAuth } from '../../auth/context';
import { PERM_ADMIN_USERS, PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n, type MessageKey } from '../../i18n';
import { CHANNELS, contentApi, type Channel, type TemplateFilters, type TemplateRead, type TemplateStatus } from './api';
import { SensitiveWords } from './SensitiveWords';
import { TemplateEditor } from './TemplateEditor';

const STATUS_COLOR: Record<TemplateStatus, string> = { draft: 'default', active: 'green', archived: 'orange' };

/** 触达中心 → 内容库: templates and scripts of every channel, filtered by channel, tag and persona. */
export default function ContentLibraryPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const editor = can(PERM_CAMPAIGN_EDIT);
  const [filters, setFilters] = useState<TemplateFilters>({});
  const { data, error, loading, reload } = useApi((signal) => contentApi.list(filters, signal), [filters], { keepPrevious: true });
  const catalogue = useApi((signal) => contentApi.catalogue(signal), []);
  const [editing, setEditing] = useState<{ template?: TemplateRead } | null>(null);
  const [sharing, setSharing] = useState<TemplateRead>();
  const [words, setWords] = useState(false);
  const [shareForm] = Form.useForm<{ all: boolean; org_codes: string[] }>();
  const orgs = useApi((signal) => (sharing ? orgsApi.list(signal) : Promise.resolve(undefined)), [sharing?.id]);
  const shareAll = Form.useWatch('all', shareForm);
  const tagOptions = [...new Set([...(catalogue.data?.scenes ?? []), ...(data ?? []).flatMap((x) => [...x.scenes, ...x.products])])];

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      message.success(ok);
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const share = async () => {
    if (!sharing) return;
    const v = shareForm.getFieldsValue();
    await act(() => contentApi.share(sharing.id, { all: !!v.all, org_codes: v.all ? [] : v.org_codes ?? [] }), t('content.sharedOk'));
    setSharing(undefined);
  };

  const columns: ColumnsType<TemplateRead> = [
    {
      title: t('content.col.name'),
      dataIndex: 'name',
      width: 220,
      render: (name: string, x) => (
        <Button type="link" style={{ padding: 0 }} onClick={() => setEditing({ template: x })} data-testid={`content-open-${x.id}`}>
          {name}
        </Button>
      ),
    },
    { title: t('content.col.channel'), dataIndex: 'channel', width: 120, render: (c: Channel) => <Tag color="blue">{t(`content.channel.${c}` as MessageKey)}</Tag> },
    { title: t('content.col.purpose'), dataIndex: 'purpose', width: 90, render: (p: string) => t(`content.purpose.${p}` as MessageKey) },
    {
      title: t('content.col.status'),
      dataIndex: 'status',
      width: 90,
      render: (s: TemplateStatus) => <Tag color={STATUS_COLOR[s]}>{t(`content.status.${s}`)}</Tag>,
    },
    { title: t('content.col.version'), dataIndex: 'version', width: 70, align: 'right', render: (v: number) => <span className="mf-num">v{v}</span> },
    {
      title: t('content.col.tags'),
      key: 'tags',
      render: (_: unknown, x) => (
        <Space size={[4, 4]} wrap>
          {[...x.products, ...x.scenes].map((g) => <Tag key={g}>{g}</Tag>)}
          {x.personas.map((p) => <Tag key={p} color="purple">{p}</Tag>)}
        </Space>
      ),
    },
    {
      title: t('content.col.sms'),
      key: 'sms',
      width: 90,
      align: 'right',
      render: (_: unknown, x) => (x.sms ? <span className="mf-num">{x.sms.parts}</span> : '—'),
    },
    {
      title: t('content.col.owner'),
      dataIndex: 'owner_org',
      width: 140,
      render: (o: string, x) => (
        <span>
          <span className="mf-mono">{o}</span>
          {!x.owned && <Tag style={{ marginLeft: 4 }}>{t('content.shared')}</Tag>}
          {x.owned && x.share_all && <Tag color="blue" style={{ marginLeft: 4 }}>{t('content.shareAll')}</Tag>}
        </span>
      ),
    },
    { title: t('content.col.updated'), dataIndex: 'updated_at', width: 160, render: (d: string) => formatDateTime(d) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 220,
      render: (_: unknown, x) => {
        const mine = editor && x.owned;
        return (
          <Space size={4}>
            <Button size="small" type="link" onClick={() => setEditing({ template: x })}>
              {t(mine && x.status !== 'archived' ? 'content.edit' : 'content.view')}
            </Button>
            {mine && x.status === 'draft' && (
              <Button size="small" type="link" data-testid={`content-activate-${x.id}`}
                      onClick={() => act(() => contentApi.setStatus(x.id, 'active'), t('content.statusChanged'))}>
                {t('content.activate')}
              </Button>
            )}
            {mine && x.status === 'active' && (
              <Button size="small" type="link" onClick={() => act(() => contentApi.setStatus(x.id, 'archived'), t('content.statusChanged'))}>
                {t('content.archive')}
              </Button>
            )}
            {mine && x.status === 'archived' && (
              <Button size="small" type="link" onClick={() => act(() => contentApi.setStatus(x.id, 'draft'), t('content.statusChanged'))}>
                {t('content.restore')}
              </Button>
            )}
            {mine && (
              <Button size="small" type="link" onClick={() => {
                shareForm.setFieldsValue({ all: x.share_all, org_codes: x.shared_with });
                setSharing(x);
              }}>
                {t('content.share')}
              </Button>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <PageHeader
        title={t('content.title')}
        subtitle={t('content.subtitle')}
        extra={
          <Space>
            <Button icon={<SafetyCertificateOutlined />} onClick={() => setWords(true)} data-testid="content-words">
              {t('content.words.title')}
            </Button>
            {editor && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})} data-testid="content-new">
                {t('content.new')}
              </Button>
            )}
          </Space>
        }
      />
      <Card variant="borderless" className="mf-card">
        <Space wrap style={{ marginBottom: 12 }}>
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('content.filter.channel')}
            value={filters.channel}
            onChange={(channel?: Channel) => setFilters((f) => ({ ...f, channel }))}
            options={CHANNELS.map((c) => ({ value: c, label: t(`content.channel.${c}` as MessageKey) }))}
            data-testid="content-filter-channel"
          />
          <Select
            allowClear
            showSearch
            style={{ width: 200 }}
            placeholder={t('content.filter.tag')}
            value={filters.tag}
            onChange={(tag?: string) => setFilters((f) => ({ ...f, tag }))}
            options={tagOptions.map((g) => ({ value: g, label: g }))}
          />
          <Select
            allowClear
            showSearch
            style={{ width: 200 }}
            placeholder={t('content.filter.persona')}
            value={filters.persona}
            onChange={(persona?: string) => setFilters((f) => ({ ...f, persona }))}
            options={(catalogue.data?.personas ?? []).map((p) => ({ value: p, label: p }))}
          />
          <Select
            allowClear
            style={{ width: 120 }}
            placeholder={t('content.filter.status')}
            value={filters.status}
            onChange={(status?: TemplateStatus) => setFilters((f) => ({ ...f, status }))}
            options={(['draft', 'active', 'archived'] as const).map((s) => ({ value: s, label: t(`content.status.${s}`) }))}
          />
        </Space>
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<TemplateRead>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={data ?? []}
          loading={loading}
          scroll={{ x: 1300 }}
          locale={{ emptyText: loading ? ' ' : t('content.empty') }}
          onRow={(x) => ({ 'data-testid': `content-row-${x.id}` }) as HTMLAttributes<HTMLElement>}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="content-table"
        />
      </Card>

      <TemplateEditor
        open={editing !== null}
        template={editing?.template}
        catalogue={catalogue.data}
        readOnly={!editor || (editing?.template ? !editing.template.owned || editing.template.status === 'archived' : false)}
        onClose={() => setEditing(null)}
        onSaved={(saved) => {
          setEditing({ template: saved });
          reload();
        }}
      />

      <Modal
        open={!!sharing}
        title={sharing ? t('content.share.title', { name: sharing.name }) : ''}
        onCancel={() => setSharing(undefined)}
        onOk={share}
        okText={t('common.ok')}
        cancelText={t('common.cancel')}
      >
        <Form form={shareForm} layout="vertical">
          <Form.Item name="all" label={t('content.share.all')} valuePropName="checked">
            <Switch />
          </Form.Item>
          {!shareAll && (
            <Form.Item name="org_codes" label={t('content.share.orgs')}>
              <Select
                mode="multiple"
                loading={orgs.loading}
                options={(orgs.data?.items ?? []).map((o) => ({ value: o.code, label: `${o.name} ${o.code}` }))}
              />
            </Form.Item>
          )}
        </Form>
      </Modal>

      <SensitiveWords open={words} admin={can(PERM_ADMIN_USERS)} onClose={() => setWords(false)} />
    </>
  );
}
