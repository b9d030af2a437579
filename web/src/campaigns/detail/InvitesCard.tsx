import { App, Button, Card, Empty, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { useAuth } from '../../auth/context';
import { PERM_ADMIN_USERS } from '../../auth/me';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { campaignsApi, type InviteNode, type ReferralRead } from '../api';
import { ck } from '../params';

const REF_COLORS: Record<string, string> = {
  inviter: 'blue', pending: 'default', held: 'orange', completed: 'green', refused: 'red', expired: 'default',
};
const PAGE = 20;

interface Row extends Omit<InviteNode, 'children'> {
  key: string;
  children?: Row[];
}

/** Rows for antd's tree table: a stable key per path, and no empty children (no expand icon on leaves). */
function rowsOf(nodes: InviteNode[], prefix: string): Row[] {
  return nodes.map((n, i) => {
    const key = `${prefix}${i}`;
    const kids = rowsOf(n.children, `${key}.`);
    return { ...n, key, children: kids.length ? kids : undefined };
  });
}

/** The MGM invite tree (masked, depth-limited, paged) and, for administrators, the held-invite review queue. */
export function InvitesCard({ campaignId, tick, onChange }: { campaignId: number; tick: number; onChange: () => void }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const [depth, setDepth] = useState(3);
  const [page, setPage] = useState(1);
  const tree = useApi((signal) => campaignsApi.invites(campaignId, { depth, limit: PAGE, offset: (page - 1) * PAGE }, signal),
    [campaignId, depth, page, tick], { keepPrevious: true });
  const reason = (r: string | null) => (r ? ck(t, `camp2.reason.${r}`) : '');
  return (
    <>
      <Card size="small" title={t('camp2.invites.title')} style={{ marginBottom: 12 }} data-testid="campaign-invites"
        extra={(
          <Space>
            <Typography.Text type="secondary">{t('camp2.invites.depth')}</Typography.Text>
            <Select size="small" value={depth} onChange={(v) => { setDepth(v); setPage(1); }} data-testid="invites-depth"
              options={[1, 2, 3, 4, 5].map((n) => ({ value: n, label: t('camp2.invites.depthN', { n }) }))} />
          </Space>
        )}>
        {tree.error != null && <ErrorAlert error={tree.error} onRetry={tree.reload} />}
        {/* Mounted once the first page is there, so that every level shown starts unfolded. */}
        {tree.data && <Table<Row>
          key={`${depth}:${page}`}
          size="small"
          rowKey="key"
          dataSource={rowsOf(tree.data?.roots ?? [], '')}
          expandable={{ defaultExpandAllRows: true }}
          locale={{ emptyText: <Empty description={t('camp2.invites.empty')} /> }}
          pagination={{ current: page, pageSize: PAGE, total: tree.data?.total_roots ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: t('camp2.invites.customer'), dataIndex: 'customer', render: (v: string) => <span className="mf-mono" data-i18n-data>{v}</span> },
            { title: t('camp2.invites.name'), dataIndex: 'name', render: (v: string | null) => <span data-i18n-data>{v ?? '—'}</span> },
            {
              title: t('camp2.invites.status'), dataIndex: 'status',
              render: (s: string, r) => (
                <Space size={4}>
                  <Tag color={REF_COLORS[s]} data-testid={`invite-status-${s}`}>{ck(t, `camp2.ref.${s}`)}</Tag>
                  {r.reason && <Typography.Text type="secondary">{reason(r.reason)}</Typography.Text>}
                </Space>
              ),
            },
            { title: t('camp2.invites.invited'), dataIndex: 'invited' },
            {
              title: t('camp2.invites.completed'), dataIndex: 'completed',
              render: (v: number, r) => (
                <Space size={4}>{v}{r.more > 0 && <Typography.Text type="secondary">{t('camp2.invites.more', { n: r.more })}</Typography.Text>}</Space>
              ),
            },
          ]}
        />}
      </Card>
      {can(PERM_ADMIN_USERS) && <HeldQueue campaignId={campaignId} tick={tick} onChange={onChange} reason={reason} />}
    </>
  );
}

function HeldQueue({ campaignId, tick, onChange, reason }: {
  campaignId: number; tick: number; onChange: () => void; reason: (r: string | null) => string;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<number | null>(null);
  const held = useApi((signal) => campaignsApi.held(campaignId, signal), [campaignId, tick], { keepPrevious: true });
  const decide = async (r: ReferralRead, release: boolean) => {
    setBusy(r.id);
    try {
      await campaignsApi.review(r.id, release);
      message.success(t(release ? 'camp2.held.released' : 'camp2.held.refused'));
      held.reload();
      onChange();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card size="small" title={t('camp2.held.title')} style={{ marginBottom: 12 }} data-testid="campaign-held">
      {held.error != null && <ErrorAlert error={held.error} onRetry={held.reload} />}
      <Table<ReferralRead>
        size="small"
        rowKey="id"
        loading={held.loading && !held.data}
        dataSource={held.data ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('camp2.held.empty')} /> }}
        columns={[
          { title: t('camp2.held.inviter'), dataIndex: 'inviter', render: (v: string) => <span className="mf-mono" data-i18n-data>{v}</span> },
          { title: t('camp2.held.invitee'), dataIndex: 'invitee', render: (v: string) => <span className="mf-mono" data-i18n-data>{v}</span> },
          { title: t('camp2.held.reason'), dataIndex: 'reason', render: (v: string | null) => reason(v) },
          { title: t('camp2.held.at'), dataIndex: 'created_at', render: (v: string) => formatDateTime(v) },
          {
            title: t('common.actions'),
            render: (_, r) => (
              <Space>
                <Button size="small" type="primary" loading={busy === r.id} data-testid={`held-release-${r.id}`}
                  onClick={() => void decide(r, true)}>{t('camp2.held.release')}</Button>
                <Popconfirm title={t('camp2.held.refuseConfirm')} onConfirm={() => void decide(r, false)}>
                  <Button size="small" danger loading={busy === r.id} data-testid={`held-refuse-${r.id}`}>{t('camp2.held.refuse')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
