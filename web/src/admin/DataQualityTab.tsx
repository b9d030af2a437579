import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { dataApi, type TableQuality } from '../api/data';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDate, formatDateTime } from '../common/format';
import { useApi } from '../common/useApi';
import { useT, type MessageKey } from '../i18n';
import { emptyFields, failedChecks, nullColor } from './dataQuality';
import { IdentityCoverageCard } from './IdentityCoverageCard';

/** 数据接入 → 数据质量: per table rows, freshness, empty key fields and missing references; identity coverage. */
export function DataQualityTab() {
  const t = useT();
  const q = useApi((signal) => dataApi.quality(signal), []);
  const columns: ColumnsType<TableQuality> = [
    {
      title: t('dataq.col.table'),
      dataIndex: 'table',
      width: 110,
      render: (v: string) => t(`dataq.table.${v}` as MessageKey),
    },
    {
      title: t('dataq.col.rows'),
      dataIndex: 'rows',
      width: 110,
      align: 'right',
      render: (v: number, r) => (
        <span className="mf-num" data-testid={`quality-rows-${r.table}`}>
          {v.toLocaleString()}
        </span>
      ),
    },
    {
      title: t('dataq.col.lastLoad'),
      dataIndex: 'last_load_at',
      width: 160,
      render: (v: string | null) => formatDateTime(v),
    },
    {
      title: t('dataq.col.businessDate'),
      dataIndex: 'latest_business_date',
      width: 120,
      render: (v: string | null) => formatDate(v),
    },
    {
      title: t('dataq.col.nulls'),
      key: 'nulls',
      render: (_: unknown, r) => {
        const cells = emptyFields(r);
        if (!cells.length) return <Typography.Text type="secondary">{t('dataq.none')}</Typography.Text>;
        return (
          <Space size={[4, 4]} wrap data-testid={`quality-nulls-${r.table}`}>
            {cells.map((c) => (
              <Tag key={c.field} color={nullColor(c.percent)}>
                {t(`dataq.field.${c.field}` as MessageKey)} {c.percent}%
              </Tag>
            ))}
          </Space>
        );
      },
    },
    {
      title: t('dataq.col.orphans'),
      key: 'orphans',
      width: 220,
      render: (_: unknown, r) => {
        const failed = failedChecks(r);
        if (!failed.length) return <Typography.Text type="secondary">{t('dataq.none')}</Typography.Text>;
        return (
          <Space direction="vertical" size={0} data-testid={`quality-orphans-${r.table}`}>
            {failed.map((o) => (
              <Typography.Text key={o.check} type="danger">
                {t(`dataq.orphan.${o.check}` as MessageKey, { n: o.rows })}
              </Typography.Text>
            ))}
          </Space>
        );
      },
    },
  ];
  return (
    <>
      <Card
        title={t('dataq.title')}
        size="small"
        style={{ marginBottom: 16 }}
        extra={
          <Button size="small" icon={<ReloadOutlined />} onClick={q.reload}>
            {t('dataq.refresh')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('dataq.hint')}
        </Typography.Paragraph>
        {q.error ? <ErrorAlert error={q.error} onRetry={q.reload} /> : null}
        <Table
          size="small"
          rowKey="table"
          loading={q.loading}
          columns={columns}
          dataSource={q.data?.tables ?? []}
          pagination={false}
          scroll={{ x: 1000 }}
          data-testid="data-quality"
        />
      </Card>
      <IdentityCoverageCard />
    </>
  );
}
