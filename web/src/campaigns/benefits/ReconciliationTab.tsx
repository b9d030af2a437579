import { Button, Empty, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { benefitsApi, type BurnPoint, type ReconciliationRow } from './api';
import { burnSeries, mono, totals, yuan } from './format';

/** Issued vs redeemed vs expired vs budget per benefit, campaign and org; export; the burn-down chart. */
export function ReconciliationTab() {
  const { t, lang } = useI18n();
  const rec = useApi((signal) => benefitsApi.reconciliation(signal), []);
  const rows = rec.data ?? [];
  const scopes = [...new Map(rows.map((r) => [`${r.benefit_id}:${r.campaign_id}`, r])).values()];
  const [pick, setPick] = useState<string | undefined>(undefined);
  const chosen = pick ?? (scopes[0] ? `${scopes[0].benefit_id}:${scopes[0].campaign_id}` : undefined);
  const refused = (r: { refused: Record<string, number> }) =>
    Object.entries(r.refused).map(([k, v]) => `${t(`benefits.reason.${k}` as never)} ${v}`).join('，') || '—';
  const sum = totals(rows);
  return (
    <>
      {rec.error != null && <ErrorAlert error={rec.error} onRetry={rec.reload} />}
      <Button onClick={() => void benefitsApi.exportReconciliation(lang)} style={{ marginBottom: 12 }} data-testid="benefit-export">
        {t('benefits.rec.export')}
      </Button>
      <Table<ReconciliationRow>
        rowKey={(r) => `${r.benefit_id}:${r.campaign_id}:${r.org_code}`}
        size="small"
        loading={rec.loading}
        dataSource={rows}
        pagination={false}
        data-testid="benefit-reconciliation"
        columns={[
          { title: t('benefits.pool.benefit'), dataIndex: 'benefit_name', render: (v: string) => <span data-i18n-data>{v}</span> },
          { title: t('benefits.col.campaign'), dataIndex: 'campaign_id' },
          { title: t('benefits.pool.org'), dataIndex: 'org_code', render: mono },
          { title: t('benefits.rec.issued'), dataIndex: 'issued' },
          { title: t('benefits.rec.redeemed'), dataIndex: 'redeemed' },
          { title: t('benefits.rec.expired'), dataIndex: 'expired' },
          { title: t('benefits.rec.outstanding'), dataIndex: 'outstanding' },
          { title: t('benefits.rec.refused'), render: (_, r) => refused(r) },
          { title: t('benefits.pool.stockLeft'), render: (_, r) => `${r.stock_remaining} / ${r.stock_total}` },
          { title: t('benefits.pool.budgetLeft'), render: (_, r) => `${yuan(r.budget_remaining_fen)} / ${yuan(r.budget_fen)}` },
          { title: t('benefits.rec.reserved'), dataIndex: 'reserved_fen', render: (v: number) => yuan(v) },
          { title: t('benefits.rec.cost'), dataIndex: 'cost_fen', render: (v: number) => yuan(v) },
        ]}
        summary={() =>
          rows.length > 1 ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={3}>{t('benefits.rec.total')}</Table.Summary.Cell>
              <Table.Summary.Cell index={3}>{sum.issued}</Table.Summary.Cell>
              <Table.Summary.Cell index={4}>{sum.redeemed}</Table.Summary.Cell>
              <Table.Summary.Cell index={5}>{sum.expired}</Table.Summary.Cell>
              <Table.Summary.Cell index={6}>{sum.outstanding}</Table.Summary.Cell>
              <Table.Summary.Cell index={7}>{refused(sum)}</Table.Summary.Cell>
              <Table.Summary.Cell index={8}>{sum.stock_remaining}</Table.Summary.Cell>
              <Table.Summary.Cell index={9}>{yuan(sum.budget_remaining_fen)}</Table.Summary.Cell>
              <Table.Summary.Cell index={10}>{yuan(sum.reserved_fen)}</Table.Summary.Cell>
              <Table.Summary.Cell index={11}>{yuan(sum.cost_fen)}</Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
      <Space direction="vertical" style={{ width: '100%', marginTop: 24 }}>
        <Typography.Title level={5}>{t('benefits.burn.title')}</Typography.Title>
        <Select
          style={{ width: 320 }}
          value={chosen}
          placeholder={t('benefits.burn.pick')}
          onChange={setPick}
          options={scopes.map((s) => ({ value: `${s.benefit_id}:${s.campaign_id}`, label: `${s.benefit_name} · ${s.campaign_id}` }))}
        />
        {chosen && <BurnDown scope={chosen} />}
      </Space>
    </>
  );
}

function BurnDown({ scope }: { scope: string }) {
  const [benefitId, campaignId] = scope.split(':').map(Number);
  const burn = useApi((signal) => benefitsApi.burndown(benefitId, campaignId, signal), [benefitId, campaignId]);
  if (burn.error != null) return <ErrorAlert error={burn.error} onRetry={burn.reload} />;
  return <BurnChart points={burn.data ?? []} testId="benefit-burndown" />;
}

/** Stock left and budget left per day (the burn-down of one benefit in one campaign). */
export function BurnChart({ points, testId, height = 280 }: { points: BurnPoint[]; testId: string; height?: number }) {
  const { t } = useI18n();
  if (!points.length) return <Empty description={t('benefits.burn.empty')} />;
  const s = burnSeries(points);
  const option: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { data: [t('benefits.burn.stock'), t('benefits.burn.budget')] },
    grid: { left: 60, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: s.days },
    yAxis: [{ type: 'value', name: t('benefits.burn.stock') }, { type: 'value', name: t('benefits.burn.budget') }],
    series: [
      { name: t('benefits.burn.stock'), type: 'line', data: s.stock },
      { name: t('benefits.burn.budget'), type: 'line', yAxisIndex: 1, data: s.budget },
    ],
  };
  return <EChart option={option} height={height} testId={testId} />;
}
