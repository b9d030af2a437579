import { Card, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Transaction } from '../../api/types';
import { formatDateTime, formatMoney, orDash } from '../../common/format';
import { useI18n } from '../../i18n';
import { directionKind } from './labels';

export function TransactionsCard({ transactions }: { transactions: Transaction[] }) {
  const { t, tv } = useI18n();

  const columns: ColumnsType<Transaction> = [
    {
      title: t('tx.col.ts'),
      dataIndex: 'ts',
      width: 150,
      render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span>,
    },
    {
      title: t('tx.col.type'),
      dataIndex: 'type',
      width: 100,
      render: (v: string | null) => (v ? tv('txType', v) : '—'),
    },
    {
      title: t('tx.col.direction'),
      dataIndex: 'direction',
      width: 70,
      render: (v: string | null) => {
        const kind = directionKind(v);
        if (!kind) return orDash(v);
        return <Tag color={kind === 'in' ? 'green' : 'default'}>{kind === 'in' ? t('tx.in') : t('tx.out')}</Tag>;
      },
    },
    {
      title: t('tx.col.amount'),
      dataIndex: 'amount',
      width: 130,
      align: 'right',
      render: (v: number, r) => {
        const kind = directionKind(r.direction);
        const sign = kind === 'in' ? '+' : kind === 'out' ? '-' : '';
        return (
          <span className="mf-num">
            {sign}
            {formatMoney(Math.abs(Number(v)))}
          </span>
        );
      },
    },
    { title: t('tx.col.category'), dataIndex: 'category', width: 100, render: orDash },
    {
      title: t('tx.col.channel'),
      dataIndex: 'channel',
      width: 90,
      render: (v: string | null) => (v ? tv('channel', v) : '—'),
    },
    { title: t('tx.col.description'), dataIndex: 'description', ellipsis: true, render: orDash },
  ];

  return (
    <Card title={t('tx.title')} size="small" className="mf-card" data-testid="customer-transactions">
      <Table<Transaction>
        rowKey={(r, i) => `${r.ts}-${i ?? 0}`}
        size="small"
        columns={columns}
        dataSource={transactions}
        pagination={transactions.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
        locale={{ emptyText: t('tx.empty') }}
        scroll={{ x: 720 }}
      />
    </Card>
  );
}
