import { PlusOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Input, Table, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState, type HTMLAttributes } from 'react';
import { useSearchParams } from 'react-router';
import { tagsApi, type TagRead, type TagRunRead } from '../../api/insight';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { useI18n } from '../../i18n';
import { TagEditor } from './editor/TagEditor';
import { TagDrawer } from './TagDrawer';
import { FailureTag } from '../../common/FailureTag';

export const FAMILIES = ['business_value', 'preference', 'lifecycle', 'timing', 'model', 'imported'] as const;

export function RunStatus({ run }: { run: TagRunRead | null }) {
  const { t } = useI18n();
  if (!run) return <Badge status="default" text={t('tags.neverRun')} />;
  if (run.status === 'ok') return <Badge status="success" text={t('tags.status.ok')} />;
  if (run.status === 'running') return <Badge status="processing" text={t('tags.status.running')} />;
  // The reason can be long: shown on hover, so the status column stays one line.
  return <FailureTag error={run.error ?? t('tags.status.failed')} at={run.started_at} testId={`tag-error-${run.tag_id}`} />;
}

export default function TagListPage() {
  const { t, tv } = useI18n();
  const [params, setParams] = useSearchParams();
  const family = params.get('family') ?? 'all';
  const openId = Number(params.get('tag')) || undefined;
  const [q, setQ] = useState('');
  const { data, error, loading, reload } = useApi((signal) => tagsApi.list(signal), []);
  const { can, me } = useAuth();
  // The editor: closed, a new tag ('new'), or a new version of a tag.
  const [editing, setEditing] = useState<TagRead | 'new'>();
  // Every opening is a fresh drawer, placed above whatever is open. Reopened while still sliding out, the
  // old one would keep its place in the page, below the detail drawer opened meanwhile, whose mask then
  // takes every click meant for the editor.
  const [session, setSession] = useState(0);
  const edit = (target: TagRead | 'new') => {
    setSession((n) => n + 1);
    setEditing(target);
  };
  const [saves, setSaves] = useState(0);

  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const tg of data ?? []) m.set(tg.family, (m.get(tg.family) ?? 0) + 1);
    return m;
  }, [data]);

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (data ?? [])
      .filter((tg) => family === 'all' || tg.family === family)
      .filter((tg) => !needle || tg.name.toLowerCase().includes(needle) || tg.key.includes(needle));
  }, [data, family, q]);

  const setParam = (key: string, value?: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  const columns: ColumnsType<TagRead> = [
    {
      title: t('tags.col.name'),
      dataIndex: 'name',
      render: (name: string, tg) => (
        <div>
          <Typography.Link onClick={() => setParam('tag', String(tg.id))} data-testid={`tag-open-${tg.key}`}>
            {name}
          </Typography.Link>
          {!tg.enabled && <Tag style={{ marginInlineStart: 6 }}>{t('tags.disabled')}</Tag>}
          <div>
            <Typography.Text type="secondary" className="mf-mono">
              {tg.key}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    {
      title: t('tags.col.family'),
      dataIndex: 'family',
      width: 110,
      render: (f: string, tg) => tv('tagFamily', f) || tg.family_name,
    },
    { title: t('tags.col.kind'), dataIndex: 'kind', width: 110, render: (k: string) => <Tag>{tv('tagKind', k)}</Tag> },
    { title: t('tags.col.valueType'), dataIndex: 'value_type', width: 90, render: (v: string) => tv('valueType', v) },
    {
      title: t('tags.col.coverage'),
      key: 'coverage',
      width: 150,
      align: 'right',
      render: (_: unknown, tg) =>
        tg.last_run ? (
          <span className="mf-num">
            {(tg.last_run.coverage * 100).toFixed(1)}%
            <Typography.Text type="secondary"> · {tg.last_run.customers.toLocaleString('en-US')}</Typography.Text>
          </span>
        ) : (
          '—'
        ),
    },
    {
      title: t('tags.col.lastRun'),
      key: 'lastRun',
      width: 170,
      render: (_: unknown, tg) => (tg.last_run ? formatDateTime(tg.last_run.started_at) : '—'),
    },
    { title: t('tags.col.status'), key: 'status', width: 160, render: (_: unknown, tg) => <RunStatus run={tg.last_run} /> },
  ];

  const items = [
    { key: 'all', label: `${t('tags.all')} (${data?.length ?? 0})` },
    ...FAMILIES.map((f) => ({ key: f, label: `${tv('tagFamily', f)} (${counts.get(f) ?? 0})` })),
  ];

  return (
    <>
      <PageHeader
        title={t('tags.title')}
        subtitle={t('tags.subtitle')}
        extra={
          // Relationship managers see their book's values but do not define tags.
          can(PERM_CAMPAIGN_EDIT) &&
          me?.roleId !== 'rm' && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => edit('new')} data-testid="tag-new">
              {t('tagEditor.new')}
            </Button>
          )
        }
      />
      <Card variant="borderless" className="mf-card">
        <Tabs
          activeKey={family}
          items={items}
          onChange={(k) => setParam('family', k === 'all' ? undefined : k)}
          tabBarExtraContent={
            <Input.Search
              allowClear
              placeholder={t('tags.search')}
              onSearch={setQ}
              onChange={(e) => !e.target.value && setQ('')}
              style={{ width: 240 }}
              data-testid="tag-search"
            />
          }
        />
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<TagRead>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={rows}
          loading={loading}
          scroll={{ x: 960 }}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
          onRow={(tg) => ({ 'data-testid': `tag-row-${tg.key}` }) as HTMLAttributes<HTMLElement>}
          data-testid="tag-table"
        />
      </Card>
      <TagDrawer tagId={openId} onClose={() => setParam('tag')} onRan={reload} onEdit={edit} refresh={saves} />
      <TagEditor
        key={session}
        open={editing !== undefined}
        tag={editing === 'new' ? undefined : editing}
        onClose={() => {
          // Closed after a save too: the list and an open drawer show the new version.
          setEditing(undefined);
          setSaves((n) => n + 1);
          reload();
        }}
        onDone={(saved) => {
          setEditing(undefined);
          setSaves((n) => n + 1);
          reload();
          setParam('tag', String(saved.id));
        }}
      />
    </>
  );
}
