import { Spin, Tabs } from 'antd';
import { Suspense } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { PageHeader } from '../common/PageHeader';
import { useI18n, type MessageKey } from '../i18n';

export const MODELS = [
  'trends',
  'funnel',
  'retention',
  'paths',
  'attribution',
  'distribution',
  'interval',
  'properties',
  'ltv',
  'rfm',
] as const;

/** 行为分析: one tab per model, each a lazily loaded page under /analytics/<model>. */
export default function AnalyticsLayout() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const active = MODELS.find((m) => pathname.startsWith(`/analytics/${m}`)) ?? 'trends';
  return (
    <>
      <PageHeader title={t('an.title')} subtitle={t(`an.model.${active}.desc` as MessageKey)} />
      <Tabs
        className="mf-an-tabs"
        activeKey={active}
        onChange={(k) => navigate(`/analytics/${k}`)}
        items={MODELS.map((m) => ({ key: m, label: <span data-testid={`an-tab-${m}`}>{t(`an.model.${m}` as MessageKey)}</span> }))}
      />
      <Suspense
        fallback={
          <div className="mf-page-loading">
            <Spin />
          </div>
        }
      >
        <Outlet />
      </Suspense>
    </>
  );
}
