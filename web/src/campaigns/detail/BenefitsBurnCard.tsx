import { Card, Col, Empty, Row, Table, Typography } from 'antd';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { benefitsApi, type ReconciliationRow } from '../benefits/api';
import { mono, yuan } from '../benefits/format';
import { BurnChart } from '../benefits/ReconciliationTab';
import { benefitsOf, burnStanding } from './live';

/** The campaign's benefits: issued, stock and budget left per pool (your scope), and each benefit's burn-down. */
export function BenefitsBurnCard({ campaignId, tick }: { campaignId: number; tick: number }) {
  const { t } = useI18n();
  const rec = useApi((signal) => benefitsApi.reconciliation(signal, campaignId), [campaignId, tick], { keepPrevious: true });
  const rows = rec.data ?? [];
  return (
    <Card size="small" title={t('camp2.benefits.title')} style={{ marginBottom: 12 }} data-testid="campaign-benefits">
      {rec.error != null && <ErrorAlert error={rec.error} onRetry={rec.reload} />}
      {rows.length === 0 && !rec.loading ? <Empty description={t('camp2.benefits.empty')} /> : (
        <>
          <Table<ReconciliationRow>
            rowKey={(r) => `${r.benefit_id}:${r.org_code}`}
            size="small"
            pagination={false}
            loading={rec.loading && !rec.data}
            dataSource={rows}
            data-testid="campaign-benefit-rows"
            columns={[
              { title: t('benefits.pool.benefit'), dataIndex: 'benefit_name', render: (v: string) => <span data-i18n-data>{v}</span> },
              { title: t('benefits.pool.org'), dataIndex: 'org_code', render: mono },
              { title: t('benefits.rec.issued'), dataIndex: 'issued' },
              { title: t('benefits.rec.redeemed'), dataIndex: 'redeemed' },
              { title: t('benefits.pool.stockLeft'), render: (_, r) => `${r.stock_remaining} / ${r.stock_total}` },
              { title: t('benefits.pool.budgetLeft'), render: (_, r) => `${yuan(r.budget_remaining_fen)} / ${yuan(r.budget_fen)}` },
              { title: t('benefits.rec.reserved'), dataIndex: 'reserved_fen', render: (v: number) => yuan(v) },
            ]}
          />
          <Row gutter={12} style={{ marginTop: 12 }}>
            {benefitsOf(rows).map((b) => (
              <Col key={b.id} xs={24} lg={12}>
                <BenefitBurn campaignId={campaignId} benefitId={b.id} name={b.name} rows={b.rows} tick={tick} />
              </Col>
            ))}
          </Row>
        </>
      )}
    </Card>
  );
}

function BenefitBurn({ campaignId, benefitId, name, rows, tick }: {
  campaignId: number; benefitId: number; name: string; rows: ReconciliationRow[]; tick: number;
}) {
  const { t } = useI18n();
  const burn = useApi((signal) => benefitsApi.burndown(benefitId, campaignId, signal), [benefitId, campaignId, tick],
    { keepPrevious: true });
  if (burn.error != null) return <ErrorAlert error={burn.error} onRetry={burn.reload} />;
  const points = burn.data ?? [];
  const s = burnStanding(points, rows);
  const params = { day: s.day ?? '', issued: s.issued, stock: s.stock, budget: s.budget.toFixed(2) };
  return (
    <div data-testid={`campaign-burn-${benefitId}`}>
      <Typography.Text strong data-i18n-data>{name}</Typography.Text>
      <div>
        <Typography.Text type="secondary" data-testid={`campaign-burn-caption-${benefitId}`}>
          {s.day ? t('camp2.benefits.caption', params) : t('camp2.benefits.noIssue', params)}
        </Typography.Text>
      </div>
      {points.length > 0 && <BurnChart points={points} height={220} testId={`campaign-burn-chart-${benefitId}`} />}
    </div>
  );
}
