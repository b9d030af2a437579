import { Card, Col, Empty, Row, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import type { Holding } from '../../api/types';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { formatDate, formatMoney, formatRate, orDash } from '../../common/format';
import { useI18n } from '../../i18n';
import { holdingsByType } from './holdings';

export function HoldingsCard({ holdings }: { holdings: Holding[] }) {
  const { t, tv } = useI18n();
  const byType = useMemo(() => holdingsByType(holdings), [holdings]);

  const columns: ColumnsType<Holding> = [
    {
      title: t('holdings.col.product'),
      dataIndex: 'product_name',
      render: (name: string, h) => (
        <div>
          <div>{name}</div>
          <Typography.Text type="secondary" className="mf-mono">
            {h.product_id}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t('holdings.col.type'),
      dataIndex: 'product_type',
      width: 130,
      render: (v: string, h) => (
        <span>
          {tv('productType', v)}
          {h.is_liability && (
            <Tag color="orange" style={{ marginInlineStart: 4 }}>
              {t('holdings.liability')}
            </Tag>
          )}
        </span>
      ),
    },
    { title: t('holdings.col.risk'), dataIndex: 'risk_level', width: 80, render: orDash },
    {
      title: t('holdings.col.rate'),
      dataIndex: 'rate',
      width: 110,
      align: 'right',
      render: (v: number | null) => <span className="mf-num">{formatRate(v)}</span>,
    },
    {
      title: t('holdings.col.balance'),
      dataIndex: 'balance',
      width: 140,
      align: 'right',
      render: (v: number) => <span className="mf-num">{formatMoney(v)}</span>,
    },
    {
      title: t('holdings.col.openedAt'),
      dataIndex: 'opened_at',
      width: 110,
      render: (v: string | null) => formatDate(v),
    },
  ];

  const option: ChartOption = {
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        return `${item.name}<br/>${formatMoney(Number(item.value))} (${item.percent ?? 0}%)`;
      },
    },
    legend: { bottom: 0, type: 'scroll', icon: 'circle', itemWidth: 8, itemHeight: 8 },
    series: [
      {
        type: 'pie',
        radius: ['42%', '68%'],
        center: ['50%', '44%'],
        avoidLabelOverlap: true,
        label: { show: false },
        data: byType.map((x) => ({ name: tv('productType', x.type), value: Math.round(x.balance * 100) / 100 })),
      },
    ],
  };

  return (
    <Card title={t('holdings.title')} size="small" className="mf-card" data-testid="customer-holdings">
      {holdings.length === 0 ? (
        <Empty description={t('holdings.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Row gutter={16}>
          <Col xs={24} xl={16}>
            <Table<Holding>
              rowKey={(h) => `${h.product_id}-${h.opened_at ?? ''}`}
              size="small"
              columns={columns}
              dataSource={holdings}
              pagination={holdings.length > 8 ? { pageSize: 8, size: 'small' } : false}
              scroll={{ x: 640 }}
            />
          </Col>
          <Col xs={24} xl={8}>
            <Typography.Text type="secondary">{t('holdings.pieTitle')}</Typography.Text>
            <EChart option={option} height={260} testId="holdings-pie" />
          </Col>
        </Row>
      )}
    </Card>
  );
}
