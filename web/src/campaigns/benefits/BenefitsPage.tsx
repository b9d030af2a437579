import { App, Alert, Button, Card, Input, Space, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../auth/context';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n, type MessageKey } from '../../i18n';
import { benefitsApi, type Benefit, type LedgerRow, type Pool } from './api';
import { BenefitForm } from './BenefitForm';
import { mono, termsText, validityText, yuan } from './format';
import { PoolForm } from './PoolForm';
import { ReconciliationTab } from './ReconciliationTab';

const PERM_CAMPAIGN_EDIT = 'campaigns:edit';

/** 活动中心 → 权益: the catalogue, stock and budget pools, the ledger and the reconciliation. */
export default function BenefitsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const editor = can(PERM_CAMPAIGN_EDIT);
  return (
    <>
      <PageHeader title={t('benefits.title')} subtitle={t('benefits.subtitle')} />
      <DurabilityAlert />
      <Card variant="borderless" className="mf-card">
        <Tabs
          items={[
            { key: 'catalogue', label: t('benefits.tab.catalogue'), children: <Catalogue editor={editor} /> },
            { key: 'pools', label: t('benefits.tab.pools'), children: <Pools editor={editor} /> },
            { key: 'ledger', label: t('benefits.tab.ledger'), children: <Ledger /> },
            { key: 'reconciliation', label: t('benefits.tab.reconciliation'), children: <ReconciliationTab /> },
          ]}
        />
      </Card>
    </>
  );
}

/** A warning when claims are answered by a Redis that may lose them in a crash (no AOF fsync on every write). */
function DurabilityAlert() {
  const { t } = useI18n();
  const status = useApi((signal) => benefitsApi.status(signal), []);
  const s = status.data;
  if (!s || s.durability === 'durable') return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="benefits-durability"
      title={t(s.code as MessageKey, { appendonly: s.appendonly ?? '?', appendfsync: s.appendfsync ?? '?' })}
      style={{ marginBottom: 16 }}
    />
  );
}

function Catalogue({ editor }: { editor: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const list = useApi((signal) => benefitsApi.list(signal), []);
  const toggle = async (b: Benefit) => {
    await benefitsApi.setStatus(b.id, b.status === 'active' ? 'archived' : 'active');
    list.reload();
  };
  return (
    <>
      {list.error != null && <ErrorAlert error={list.error} onRetry={list.reload} />}
      {editor && (
        <Button type="primary" onClick={() => setOpen(true)} style={{ marginBottom: 12 }} data-testid="benefit-new">
          {t('benefits.new')}
        </Button>
      )}
      <Table<Benefit>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: t('benefits.empty') }}
        pagination={false}
        data-testid="benefit-catalogue"
        columns={[
          { title: t('benefits.col.id'), dataIndex: 'id', width: 70 },
          { title: t('benefits.col.name'), dataIndex: 'name', render: (v: string) => <span data-i18n-data>{v}</span> },
          { title: t('benefits.col.kind'), dataIndex: 'kind', render: (k: Benefit['kind']) => t(`benefits.kind.${k}`) },
          { title: t('benefits.col.terms'), render: (_, b) => termsText(b.spec, t) },
          { title: t('benefits.col.validity'), render: (_, b) => validityText(b, t) },
          { title: t('benefits.col.limit'), dataIndex: 'per_customer_limit' },
          { title: t('benefits.col.stackable'), dataIndex: 'stackable', render: (v: boolean) => t(v ? 'benefits.yes' : 'benefits.no') },
          { title: t('benefits.col.cost'), dataIndex: 'cost_fen', render: (v: number) => yuan(v) },
          { title: t('benefits.col.costOn'), dataIndex: 'cost_on', render: (v: Benefit['cost_on']) => t(`benefits.costOn.${v}`) },
          { title: t('benefits.col.owner'), dataIndex: 'owner_org', render: mono },
          {
            title: t('benefits.col.status'),
            dataIndex: 'status',
            render: (s: Benefit['status'], b) => (
              <Space>
                <Tag color={s === 'active' ? 'green' : 'default'}>{t(`benefits.status.${s}`)}</Tag>
                {editor && (
                  <Button size="small" type="link" onClick={() => void toggle(b)}>
                    {t(s === 'active' ? 'benefits.archive' : 'benefits.activate')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <BenefitForm
        open={open}
        onClose={() => setOpen(false)}
        onCreated={() => {
          setOpen(false);
          message.success(t('benefits.created'));
          list.reload();
        }}
      />
    </>
  );
}

function Pools({ editor }: { editor: boolean }) {
  const { t } = useI18n();
  const pools = useApi((signal) => benefitsApi.pools(signal), []);
  const benefits = useApi((signal) => benefitsApi.list(signal), []);
  const [form, setForm] = useState<{ parent?: Pool } | null>(null);
  const names = new Map((benefits.data ?? []).map((b) => [b.id, b.name]));
  return (
    <>
      {pools.error != null && <ErrorAlert error={pools.error} onRetry={pools.reload} />}
      {editor && (
        <Button type="primary" onClick={() => setForm({})} style={{ marginBottom: 12 }} data-testid="pool-new">
          {t('benefits.pool.new')}
        </Button>
      )}
      <Table<Pool>
        rowKey="id"
        size="small"
        loading={pools.loading}
        dataSource={pools.data ?? []}
        pagination={false}
        data-testid="benefit-pools"
        columns={[
          { title: t('benefits.col.id'), dataIndex: 'id', width: 70 },
          { title: t('benefits.pool.benefit'), dataIndex: 'benefit_id', render: (id: number) => names.get(id) ?? id },
          { title: t('benefits.col.campaign'), dataIndex: 'campaign_id' },
          { title: t('benefits.pool.org'), dataIndex: 'org_code', render: mono },
          { title: t('benefits.pool.parent'), dataIndex: 'parent_id', render: (v: number | null) => v ?? '—' },
          { title: t('benefits.pool.stock'), dataIndex: 'stock_total' },
          { title: t('benefits.pool.stockLeft'), dataIndex: 'stock_remaining' },
          { title: t('benefits.pool.budget'), dataIndex: 'budget_fen', render: (v: number) => yuan(v) },
          { title: t('benefits.pool.budgetLeft'), dataIndex: 'budget_remaining_fen', render: (v: number) => yuan(v) },
          ...(editor
            ? [{
                title: t('common.actions'),
                render: (_: unknown, p: Pool) => (
                  <Button size="small" type="link" onClick={() => setForm({ parent: p })} data-testid={`pool-allocate-${p.id}`}>
                    {t('benefits.pool.allocate')}
                  </Button>
                ),
              }]
            : []),
        ]}
      />
      <PoolForm
        open={form != null}
        parent={form?.parent}
        benefits={benefits.data ?? []}
        onClose={() => setForm(null)}
        onSaved={() => {
          setForm(null);
          pools.reload();
        }}
      />
    </>
  );
}

function Ledger() {
  const { t } = useI18n();
  const [customer, setCustomer] = useState('');
  const [page, setPage] = useState(1);
  const size = 50;
  const ledger = useApi(
    (signal) => benefitsApi.ledger({ customer_id: customer || undefined, limit: size, offset: (page - 1) * size }, signal),
    [customer, page],
    { keepPrevious: true },
  );
  return (
    <>
      {ledger.error != null && <ErrorAlert error={ledger.error} onRetry={ledger.reload} />}
      <Input.Search
        allowClear
        placeholder={t('benefits.ledger.filterCustomer')}
        onSearch={(v) => {
          setCustomer(v.trim());
          setPage(1);
        }}
        style={{ width: 260, marginBottom: 12 }}
      />
      <Table<LedgerRow>
        rowKey="id"
        size="small"
        loading={ledger.loading}
        dataSource={ledger.data?.items ?? []}
        data-testid="benefit-ledger"
        pagination={{ current: page, pageSize: size, total: ledger.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        columns={[
          { title: t('benefits.col.id'), dataIndex: 'id', width: 80 },
          { title: t('benefits.ledger.issuedAt'), dataIndex: 'issued_at', render: (v: string) => v.slice(0, 19).replace('T', ' ') },
          { title: t('benefits.pool.benefit'), dataIndex: 'benefit_id' },
          { title: t('benefits.col.campaign'), dataIndex: 'campaign_id' },
          { title: t('benefits.ledger.customer'), dataIndex: 'customer_id', render: mono },
          { title: t('benefits.ledger.customerName'), dataIndex: 'customer_name', render: (v: string | null) => v ?? '—' },
          { title: t('benefits.ledger.org'), dataIndex: 'org_code', render: mono },
          {
            title: t('benefits.ledger.state'),
            dataIndex: 'state',
            render: (s: LedgerRow['state']) => <Tag color={s === 'refused' ? 'orange' : s === 'redeemed' ? 'green' : undefined}>{t(`benefits.state.${s}`)}</Tag>,
          },
          { title: t('benefits.ledger.reason'), dataIndex: 'reason', render: (r: string | null) => (r ? t(`benefits.reason.${r}` as never) : '—') },
          { title: t('benefits.col.cost'), dataIndex: 'cost_fen', render: (v: number) => yuan(v) },
          { title: t('benefits.ledger.source'), dataIndex: 'source', render: (s: string) => t(`benefits.source.${s}` as never) },
          { title: t('benefits.ledger.expiresAt'), dataIndex: 'expires_at', render: (v: string | null) => (v ? v.slice(0, 10) : '—') },
          { title: t('benefits.ledger.fulfilment'), dataIndex: 'fulfilment', render: (v: string | null) => (v ? t(`benefits.fulfilment.${v}` as never) : '—') },
        ]}
      />
    </>
  );
}
