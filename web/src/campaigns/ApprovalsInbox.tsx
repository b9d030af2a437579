import { App, Button, Card, Empty, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { campaignsApi, type ApprovalRead, type Check } from './api';
import { ck, show } from './params';

/** The checks at submit, one tag each (red: blocking, orange: to look at). */
export function ChecksView({ checks }: { checks: Check[] }) {
  const { t } = useI18n();
  return (
    <Space wrap>
      {checks.map((c) => (
        <Tag key={c.code} color={c.ok ? 'green' : c.severity === 'error' ? 'red' : 'orange'} data-testid={`check-${c.code}`}>
          {ck(t, `camp.${c.code}`, Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, show(v)])))}
        </Tag>
      ))}
    </Space>
  );
}

const FIELDS = new Set(['name', 'description', 'template_id', 'segment_id', 'budget', 'stock', 'products', 'starts_at', 'ends_at']);

/** Labels of parameter keys across the templates (a diff row names `params.<key>`). */
export function useParamLabels(): Map<string, string> {
  const { data } = useApi((signal) => campaignsApi.templates(signal).catch(() => []), []);
  return new Map((data ?? []).flatMap((tpl) => tpl.params.map((p) => [p.key, p.label] as [string, string])));
}

/** One request: what changed, the checks, and approve / reject in one click. */
export function ApprovalCard({ a, onDone, labels }: { a: ApprovalRead; onDone: () => void; labels?: Map<string, string> }) {
  const { t } = useI18n();
  const fieldLabel = (field: string) => {
    if (field.startsWith('params.')) return labels?.get(field.slice(7).split('.')[0]) ?? field.slice(7);
    return FIELDS.has(field) ? ck(t, `camp.diffField.${field}`) : field;
  };
  const { message } = App.useApp();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = async (approve: boolean) => {
    setBusy(true);
    try {
      await campaignsApi.decide(a.id, approve, approve ? undefined : reason);
      message.success(t(approve ? 'camp.approval.approved' : 'camp.approval.rejected'));
      onDone();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" style={{ marginBottom: 12 }} data-testid={`approval-${a.id}`}
      title={<Space><Tag>{ck(t, `camp.object.${a.object_type}`)}</Tag>{a.title}<span className="mf-muted">#{a.object_id} · v{a.revision}</span></Space>}
      extra={<span className="mf-muted">{t('camp.approval.by', { maker: a.maker, org: a.owner_org })} · {formatDateTime(a.created_at)}</span>}>
      <Table size="small" rowKey="field" pagination={false} dataSource={a.diff}
        locale={{ emptyText: t('camp.approval.nodiff') }}
        columns={[
          { title: t('camp.diff.field'), dataIndex: 'field', render: (f: string) => fieldLabel(f) },
          { title: t('camp.diff.before'), dataIndex: 'before', render: (v: unknown) => show(v) },
          { title: t('camp.diff.after'), dataIndex: 'after', render: (v: unknown) => <b>{show(v)}</b> },
        ]} />
      <div style={{ margin: '8px 0' }}><ChecksView checks={a.checks} /></div>
      {a.approver_org && <div className="mf-muted">{t('camp.approval.needsOrg', { org: a.approver_org })}</div>}
      {a.status !== 'pending' && <Tag>{ck(t, `camp.approval.status.${a.status}`)}{a.reason ? `：${a.reason}` : ''}</Tag>}
      {a.can_decide && (
        <Space style={{ marginTop: 8 }}>
          <Button type="primary" loading={busy} onClick={() => decide(true)} data-testid={`approve-${a.id}`}>{t('camp.approval.approve')}</Button>
          <Input placeholder={t('camp.approval.reason')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} style={{ width: 260 }} />
          <Button danger loading={busy} disabled={!reason.trim()} onClick={() => decide(false)} data-testid={`reject-${a.id}`}>{t('camp.approval.reject')}</Button>
        </Space>
      )}
    </Card>
  );
}

export function ApprovalsInbox() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useApi((signal) => campaignsApi.inbox(signal), []);
  const labels = useParamLabels();
  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  if (!loading && (data ?? []).length === 0) return <Empty description={t('camp.approval.empty')} />;
  return <>{(data ?? []).map((a) => <ApprovalCard key={a.id} a={a} onDone={reload} labels={labels} />)}</>;
}
