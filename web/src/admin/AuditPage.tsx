import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Input, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { adminApi } from '../api/endpoints';
import type { AuditEntry } from '../api/types';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime, orDash } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { detailFields, IDENTIFIER_FIELDS, knownActions, targetText } from './auditDetail';
import { useActorName } from '../common/actor';

const PAGE_SIZES = [20, 50, 100];

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}


export default function AuditPage() {
  const { t, tv, lang } = useI18n();
  const actions = useMemo(() => knownActions(lang), [lang]);
  const yesNo = (b: boolean) => t(b ? 'common.yes' : 'common.no');
  const fieldName = (k: string) => tv('audit.field', k);
  const typeName = (k: string) => tv('audit.target', k);
  const valueName = (prefix: string, raw: string) => tv(prefix, raw);
  // An identifier (metric key, org code) is data: monospace, like ids elsewhere.
  const valueNode = (field: string, text: string) =>
    IDENTIFIER_FIELDS.has(field) ? <span className="mf-mono">{text}</span> : text;
  const actor = useActorName();
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const username = params.get('username') ?? '';
  const page = positiveInt(params.get('page'), 1);
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : PAGE_SIZES[0];
  const [draftAction, setDraftAction] = useState(action);
  const [draftUser, setDraftUser] = useState(username);
  useEffect(() => setDraftAction(action), [action]);
  useEffect(() => setDraftUser(username), [username]);

  const { data, error, loading, reload } = useApi(
    (signal) =>
      adminApi.audit(
        { limit: size, offset: (page - 1) * size, action: action || undefined, username: username || undefined },
        signal,
      ),
    [action, username, page, size],
  );

  // Keep the last known total while the next page loads, so the pager does not jump.
  const [total, setTotal] = useState(0);
  useEffect(() => {
    if (data) setTotal(data.total);
  }, [data]);

  const update = (next: { action?: string; username?: string; page?: number; size?: number }) => {
    const merged = { action, username, page, size, ...next };
    const sp = new URLSearchParams();
    if (merged.action) sp.set('action', merged.action);
    if (merged.username) sp.set('username', merged.username);
    if (merged.page > 1) sp.set('page', String(merged.page));
    if (merged.size !== PAGE_SIZES[0]) sp.set('size', String(merged.size));
    // flushSync: the old rows leave the screen in the same event, never shown under the new query.
    setParams(sp, { flushSync: true });
  };

  const applyFilters = () => update({ action: draftAction.trim(), username: draftUser.trim(), page: 1 });
  const resetFilters = () => {
    setDraftAction('');
    setDraftUser('');
    update({ action: '', username: '', page: 1 });
  };

  const columns: ColumnsType<AuditEntry> = [
    {
      title: t('admin.audit.col.ts'),
      dataIndex: 'ts',
      width: 160,
      render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span>,
    },
    { title: t('admin.audit.col.username'), dataIndex: 'username', width: 120, render: actor },
    {
      title: t('admin.audit.col.action'),
      dataIndex: 'action',
      width: 180,
      // Operations staff read the action's name; the code stays in the tooltip (and is what the filter takes).
      render: (v: string) => {
        const label = tv('audit.action', v);
        return (
          <Tag
            className={label === v ? 'mf-mono' : undefined}
            title={v}
            style={{ cursor: 'pointer' }}
            onClick={() => { setDraftAction(v); update({ action: v, page: 1 }); }}
          >
            {label}
          </Tag>
        );
      },
    },
    {
      title: t('admin.audit.col.target'),
      key: 'target',
      width: 220,
      ellipsis: { showTitle: false },
      // The object by its name (recorded in the entry); the stored type and id stay in the tooltip.
      render: (_: unknown, e) => {
        const text = targetText(e, typeName);
        return text ? (
          <Tooltip title={`${e.target_type ?? ''}${e.target_id ? `:${e.target_id}` : ''}`} placement="topLeft">
            <span data-testid={`audit-target-${e.id}`}>{text}</span>
          </Tooltip>
        ) : (
          '—'
        );
      },
    },
    {
      title: t('admin.audit.col.detail'),
      dataIndex: 'detail',
      ellipsis: { showTitle: false },
      render: (d: AuditEntry['detail']) => {
        const fields = detailFields(d, fieldName, yesNo, { valueName });
        const text = fields.map(([k, v]) => `${k}: ${v}`).join('；');
        return (
          <Tooltip title={text} placement="topLeft">
            <Typography.Text type="secondary">
              {fields.length
                ? fields.map(([k, v, field], i) => (
                    <span key={i}>
                      {i > 0 && '；'}
                      {k}: {valueNode(field, v)}
                    </span>
                  ))
                : '—'}
            </Typography.Text>
          </Tooltip>
        );
      },
    },
    { title: t('admin.audit.col.ip'), dataIndex: 'ip', width: 130, render: (v: string | null) => <span className="mf-mono">{orDash(v)}</span> },
  ];

  return (
    <>
      <PageHeader
        title={t('admin.audit.title')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={reload}>
            {t('common.refresh')}
          </Button>
        }
      />
      <Card variant="borderless" className="mf-card">
        <div className="mf-toolbar">
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder={t('admin.audit.filter.action')}
            value={draftAction || undefined}
            // Choosing an action filters at once; the code is what the server filters by.
            onChange={(v?: string) => {
              setDraftAction(v ?? '');
              update({ action: v ?? '', page: 1 });
            }}
            options={actions.map((a) => ({ value: a.value, label: a.label, title: a.value }))}
            style={{ width: 220 }}
            data-testid="audit-filter-action"
          />
          <Input
            allowClear
            placeholder={t('admin.audit.filter.username')}
            value={draftUser}
            onChange={(e) => setDraftUser(e.target.value)}
            onPressEnter={applyFilters}
            style={{ width: 180 }}
            data-testid="audit-filter-username"
          />
          <Button type="primary" onClick={applyFilters} data-testid="audit-search">
            {t('common.search')}
          </Button>
          <Button onClick={resetFilters}>{t('common.reset')}</Button>
        </div>
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<AuditEntry>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          scroll={{ x: 1000 }}
          expandable={{
            rowExpandable: (e) => !!e.detail && Object.keys(e.detail).length > 0,
            expandedRowRender: (e) => (
              <Descriptions size="small" column={2} bordered data-testid={`audit-detail-${e.id}`}>
                {detailFields(e.detail, fieldName, yesNo, { skipName: false, valueName }).map(([k, v, field], i) => (
                  <Descriptions.Item key={i} label={k}>
                    {valueNode(field, v)}
                  </Descriptions.Item>
                ))}
              </Descriptions>
            ),
          }}
          pagination={{
            current: page,
            pageSize: size,
            total,
            pageSizeOptions: PAGE_SIZES,
            showSizeChanger: true,
            showTotal: (n) => t('common.total', { n }),
            onChange: (p, s) => update({ page: s !== size ? 1 : p, size: s }),
          }}
        />
      </Card>
    </>
  );
}
