import { SearchOutlined } from '@ant-design/icons';
import { Button, Card, Input, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState, type HTMLAttributes } from 'react';
import { Link, useSearchParams } from 'react-router';
import { customersApi } from '../../api/endpoints';
import type { CustomerListItem } from '../../api/types';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatMoney, orDash } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { genderLabel } from './labels';

const PAGE_SIZES = [20, 50, 100];

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export default function CustomerListPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = positiveInt(params.get('page'), 1);
  const size = PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : PAGE_SIZES[0];
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]); // back/forward navigation changes the query

  const { data, error, loading, reload } = useApi(
    (signal) => customersApi.list({ q: q || undefined, limit: size, offset: (page - 1) * size }, signal),
    [q, page, size],
  );

  // Keep the last known total while the next page loads, so the pager does not jump.
  const [total, setTotal] = useState(0);
  useEffect(() => {
    if (data) setTotal(data.total);
  }, [data]);

  const update = (next: { q?: string; page?: number; size?: number }) => {
    const merged = { q, page, size, ...next };
    const sp = new URLSearchParams();
    if (merged.q) sp.set('q', merged.q);
    if (merged.page > 1) sp.set('page', String(merged.page));
    if (merged.size !== PAGE_SIZES[0]) sp.set('size', String(merged.size));
    // flushSync: the old rows leave the screen in the same event, never shown under the new query.
    setParams(sp, { flushSync: true });
  };

  const columns: ColumnsType<CustomerListItem> = [
    {
      title: t('customers.col.customerId'),
      dataIndex: 'customer_id',
      width: 120,
      fixed: 'left',
      render: (id: string) => (
        <Link to={`/insight/customers/${encodeURIComponent(id)}`} className="mf-mono">
          {id}
        </Link>
      ),
    },
    { title: t('customers.col.name'), dataIndex: 'name', width: 90, render: orDash },
    {
      title: t('customers.col.gender'),
      dataIndex: 'gender',
      width: 64,
      render: (g: string | null) => genderLabel(lang, g),
    },
    { title: t('customers.col.age'), dataIndex: 'age', width: 60, align: 'right', render: orDash },
    {
      title: t('customers.col.phone'),
      dataIndex: 'phone',
      width: 130,
      render: (p: string | null) => <span className="mf-num">{orDash(p)}</span>,
    },
    {
      title: t('customers.col.tier'),
      dataIndex: 'tier',
      width: 100,
      render: (tier: string | null) => (tier ? <Tag>{tier}</Tag> : '—'),
    },
    { title: t('customers.col.riskLevel'), dataIndex: 'risk_level', width: 90, render: orDash },
    {
      title: t('customers.col.org'),
      key: 'org',
      ellipsis: true,
      render: (_: unknown, r) => (
        <span>
          {orDash(r.org_name)}
          {r.org_code && (
            <Typography.Text type="secondary" className="mf-mono">
              {' '}
              ({r.org_code})
            </Typography.Text>
          )}
        </span>
      ),
    },
    { title: t('customers.col.rm'), dataIndex: 'rm_name', width: 100, render: orDash },
    {
      title: t('customers.col.aum'),
      dataIndex: 'aum',
      width: 150,
      align: 'right',
      // The list is sorted by AUM: keep it in view on a 1366-wide screen instead of behind a horizontal scroll.
      fixed: 'right',
      render: (v: number | null) => <span className="mf-num">{formatMoney(v)}</span>,
    },
  ];

  return (
    <>
      <PageHeader title={t('customers.title')} subtitle={t('customers.subtitle')} />
      <Card variant="borderless" className="mf-card">
        <div className="mf-toolbar">
          <Space.Compact style={{ width: 420, maxWidth: '100%' }}>
            <Input
              allowClear
              prefix={<SearchOutlined style={{ color: '#9ca3af' }} />}
              placeholder={t('customers.searchPlaceholder')}
              value={draft}
              onChange={(e) => {
                setDraft(e.target.value);
                if (!e.target.value && q) update({ q: '', page: 1 });
              }}
              onPressEnter={() => update({ q: draft.trim(), page: 1 })}
              data-testid="customer-search"
            />
            <Button type="primary" onClick={() => update({ q: draft.trim(), page: 1 })} data-testid="customer-search-submit">
              {t('common.search')}
            </Button>
          </Space.Compact>
          <Typography.Text type="secondary" style={{ marginLeft: 'auto', fontSize: 12 }}>
            {t('customers.maskedNote')}
          </Typography.Text>
        </div>
        {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
        <Table<CustomerListItem>
          rowKey="customer_id"
          size="small"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          scroll={{ x: 1100 }}
          locale={{ emptyText: loading ? ' ' : t('customers.empty') }}
          onRow={(r) => ({ 'data-testid': `customer-row-${r.customer_id}` }) as HTMLAttributes<HTMLElement>}
          pagination={{
            current: page,
            pageSize: size,
            total,
            pageSizeOptions: PAGE_SIZES,
            showSizeChanger: true,
            showTotal: (n) => t('common.total', { n }),
            onChange: (p, s) => update({ page: s !== size ? 1 : p, size: s }),
          }}
          data-testid="customer-table"
        />
      </Card>
    </>
  );
}
