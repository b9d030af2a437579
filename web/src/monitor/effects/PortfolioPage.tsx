import { Button, Card, DatePicker, Select, Space, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { formatMoney } from '../../common/format';
import { orgsApi } from '../../api/endpoints';
import { useI18n } from '../../i18n';
import { tk } from '../../strategy/labels';
import { effectsApi, type PortfolioQuery, type PortfolioRow } from './api';
import { signedAmount } from './format';

/** 运营监控 · 效果组合: strategies of a period ranked by ROI and incremental AUM, by branch and business line. */
export default function PortfolioPage() {
  const { t } = useI18n();
  const [q, setQ] = useState<PortfolioQuery>(() => ({
    date_from: dayjs().subtract(60, 'day').format('YYYY-MM-DD'),
    date_to: dayjs().subtract(1, 'day').format('YYYY-MM-DD'),
  }));
  const orgs = useApi((signal) => orgsApi.list(signal).catch(() => ({ items: [] })), []);
  const data = useApi((signal) => effectsApi.portfolio(q, signal), [q], { keepPrevious: true });
  return (
    <>
      <PageHeader
        title={t('effects.portfolio.title')}
        subtitle={t('effects.portfolio.subtitle')}
        extra={<Button onClick={() => effectsApi.portfolioCsv(q)}>{t('effects.portfolio.export')}</Button>}
      />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <span>{t('effects.portfolio.period')}</span>
          <DatePicker.RangePicker
            allowClear={false}
            value={[dayjs(q.date_from), dayjs(q.date_to)]}
            onChange={(r) => r && r[0] && r[1] && setQ({ ...q, date_from: r[0].format('YYYY-MM-DD'), date_to: r[1].format('YYYY-MM-DD') })}
          />
          <span>{t('effects.portfolio.org')}</span>
          <Select
            allowClear
            style={{ width: 200 }}
            value={q.org_code}
            onChange={(v) => setQ({ ...q, org_code: v })}
            options={(orgs.data?.items ?? []).map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }))}
          />
          <span>{t('effects.portfolio.line')}</span>
          <Select
            allowClear
            style={{ width: 120 }}
            value={q.business_line}
            onChange={(v) => setQ({ ...q, business_line: v })}
            options={['retail', 'card', 'wealth', 'loan'].map((l) => ({ value: l, label: tk(t, `effects.line.${l}`) }))}
          />
        </Space>
      </Card>
      {data.error !== undefined && <ErrorAlert error={data.error} onRetry={data.reload} />}
      <Table<PortfolioRow>
        size="small"
        rowKey="strategy_id"
        loading={data.loading}
        dataSource={data.data?.rows ?? []}
        columns={[
          {
            title: t('effects.portfolio.strategy'),
            key: 's',
            render: (_, r) => <Link to={`/strategy/${r.strategy_id}/effects`}>{r.name ?? r.strategy_id}</Link>,
          },
          { title: t('effects.portfolio.org'), dataIndex: 'org_code' },
          { title: t('effects.portfolio.line'), key: 'l', render: (_, r) => (r.business_line ? tk(t, `effects.line.${r.business_line}`) : '—') },
          { title: t('effects.arm.treated'), dataIndex: 'treated', align: 'right' },
          { title: t('effects.arm.control'), dataIndex: 'control', align: 'right' },
          { title: t('effects.incrementalConversions'), key: 'ic', align: 'right', render: (_, r) => (r.incremental_conversions === null ? '—' : signedAmount(r.incremental_conversions, 1)) },
          { title: t('effects.aum.total'), key: 'ia', align: 'right', render: (_, r) => (r.incremental_aum === null ? '—' : signedAmount(r.incremental_aum)) },
          { title: t('effects.cost.total'), key: 'c', align: 'right', render: (_, r) => formatMoney(r.cost) },
          { title: 'ROI', key: 'roi', align: 'right', render: (_, r) => (r.roi === null ? '—' : r.roi.toFixed(2)) },
          { title: t('effects.notes'), key: 'n', render: (_, r) => r.notes.map((n) => <Tag key={n}>{tk(t, `effects.note.${n}`).slice(0, 12)}</Tag>) },
        ]}
      />
    </>
  );
}
