import { lazy } from 'react';
import { Navigate, Outlet, createBrowserRouter } from 'react-router';
import { AuthProvider } from './auth/AuthProvider';
import { PERM_ADMIN_KEYS, PERM_ADMIN_USERS, PERM_ANALYTICS, PERM_AUDIT_READ } from './auth/me';
import { PERM_DATA_LOAD } from './api/data';
import { RequireAuth } from './auth/RequireAuth';
import { RequirePermission } from './auth/RequirePermission';
import { AppLayout } from './layout/AppLayout';

// Pages are split into their own chunks; the layout and login stay small.
const LoginPage = lazy(() => import('./auth/LoginPage'));
const CustomerListPage = lazy(() => import('./insight/customers/CustomerListPage'));
const CustomerDetailPage = lazy(() => import('./insight/customers/CustomerDetailPage'));
const UsersPage = lazy(() => import('./admin/UsersPage'));
const RolesPage = lazy(() => import('./admin/RolesPage'));
const KeysPage = lazy(() => import('./admin/KeysPage'));
const AuditPage = lazy(() => import('./admin/AuditPage'));
const DataLoadsPage = lazy(() => import('./admin/DataLoadsPage'));
const TagListPage = lazy(() => import('./insight/tags/TagListPage'));
const SegmentListPage = lazy(() => import('./insight/segments/SegmentListPage'));
const SegmentBuilderPage = lazy(() => import('./insight/segments/SegmentBuilderPage'));
const DecisionTreePage = lazy(() => import('./insight/ml/DecisionTreePage'));
const ChurnPage = lazy(() => import('./insight/ml/ChurnPage'));
const FlowsPage = lazy(() => import('./insight/flows/FlowsPage'));
const SegmentSetsPage = lazy(() => import('./insight/sets/SegmentSetsPage'));
const AnalyticsLayout = lazy(() => import('./analytics/AnalyticsLayout'));
const TrendsPage = lazy(() => import('./analytics/TrendsPage'));
const FunnelPage = lazy(() => import('./analytics/FunnelPage'));
const RetentionPage = lazy(() => import('./analytics/RetentionPage'));
const PathsPage = lazy(() => import('./analytics/PathsPage'));
const AttributionPage = lazy(() => import('./analytics/AttributionPage'));
const DistributionPage = lazy(() => import('./analytics/DistributionPage'));
const IntervalPage = lazy(() => import('./analytics/IntervalPage'));
const PropertiesPage = lazy(() => import('./analytics/PropertiesPage'));
const LtvPage = lazy(() => import('./analytics/LtvPage'));
const RfmPage = lazy(() => import('./analytics/RfmPage'));
const MauAumPage = lazy(() => import('./monitor/MauAumPage'));
const EffectPage = lazy(() => import('./monitor/effects/EffectPage'));
const PortfolioPage = lazy(() => import('./monitor/effects/PortfolioPage'));
const MetricsPage = lazy(() => import('./monitor/alerts/MetricsPage'));
const AlertsPage = lazy(() => import('./monitor/alerts/AlertsPage'));
const DashboardListPage = lazy(() => import('./monitor/dashboards/DashboardListPage'));
const DashboardPage = lazy(() => import('./monitor/dashboards/DashboardPage'));
const ContactPolicyPage = lazy(() => import('./strategy/policy/ContactPolicyPage'));
const ContentLibraryPage = lazy(() => import('./reach/content/ContentLibraryPage'));
const StrategyListPage = lazy(() => import('./strategy/StrategyListPage'));
const StrategyEditorPage = lazy(() => import('./strategy/StrategyEditorPage'));
const ExperimentsPage = lazy(() => import('./strategy/ExperimentsPage'));
const ReachPage = lazy(() => import('./reach/ReachPage'));
const BenefitsPage = lazy(() => import('./campaigns/benefits/BenefitsPage'));
const CampaignsPage = lazy(() => import('./campaigns/CampaignsPage'));
const CampaignDetailPage = lazy(() => import('./campaigns/CampaignDetailPage'));
const NotFound = lazy(() => import('./common/NotFound'));

function Root() {
  return (
    <AuthProvider>
      <Outlet />
    </AuthProvider>
  );
}

export const router = createBrowserRouter([
  {
    element: <Root />,
    children: [
      { path: '/login', element: <LoginPage /> },
      {
        path: '/',
        element: (
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <Navigate to="/insight/customers" replace /> },
          { path: 'insight', element: <Navigate to="/insight/customers" replace /> },
          { path: 'insight/customers', element: <CustomerListPage /> },
          { path: 'insight/customers/:id', element: <CustomerDetailPage /> },
          { path: 'insight/tags', element: <TagListPage /> },
          { path: 'insight/segments', element: <SegmentListPage /> },
          { path: 'insight/segments/new', element: <SegmentBuilderPage /> },
          { path: 'insight/segments/:id', element: <SegmentBuilderPage /> },
          {
            path: 'insight/ml/tree',
            element: (
              <RequirePermission permission={PERM_ANALYTICS}>
                <DecisionTreePage />
              </RequirePermission>
            ),
          },
          {
            path: 'insight/ml/churn',
            element: (
              <RequirePermission permission={PERM_ANALYTICS}>
                <ChurnPage />
              </RequirePermission>
            ),
          },
          { path: 'insight/flows', element: <FlowsPage /> },
          { path: 'insight/sets', element: <SegmentSetsPage /> },
          {
            path: 'strategy',
            element: (
              <RequirePermission permission={PERM_ANALYTICS}>
                <Outlet />
              </RequirePermission>
            ),
            children: [
              { index: true, element: <StrategyListPage /> },
              { path: 'list', element: <StrategyListPage /> },
              { path: 'policy', element: <ContactPolicyPage /> },
              { path: ':id', element: <StrategyEditorPage /> },
              { path: ':id/monitor', element: <StrategyEditorPage monitor key="monitor" /> },
              { path: ':id/experiments', element: <ExperimentsPage /> },
              { path: ':id/effects', element: <EffectPage /> },
            ],
          },
          { path: 'campaigns/benefits', element: <BenefitsPage /> },
          { path: 'campaigns/all', element: <CampaignsPage /> },
          { path: 'campaigns', element: <CampaignsPage /> },
          { path: 'campaigns/:id', element: <CampaignDetailPage /> },
          { path: 'reach/content', element: <ContentLibraryPage /> },
          { path: 'reach/*', element: <ReachPage /> },
          {
            path: 'monitor',
            element: (
              <RequirePermission permission={PERM_ANALYTICS}>
                <Outlet />
              </RequirePermission>
            ),
            children: [
              { index: true, element: <Navigate to="/monitor/mau-aum" replace /> },
              { path: 'mau-aum', element: <MauAumPage /> },
              { path: 'effects', element: <PortfolioPage /> },
              { path: 'metrics', element: <MetricsPage /> },
              { path: 'alerts', element: <AlertsPage /> },
              { path: 'dashboards', element: <DashboardListPage /> },
              { path: 'dashboards/:id', element: <DashboardPage /> },
              { path: '*', element: <NotFound /> },
            ],
          },
          {
            path: 'analytics',
            element: (
              <RequirePermission permission={PERM_ANALYTICS}>
                <AnalyticsLayout />
              </RequirePermission>
            ),
            children: [
              { index: true, element: <Navigate to="/analytics/trends" replace /> },
              { path: 'trends', element: <TrendsPage /> },
              { path: 'funnel', element: <FunnelPage /> },
              { path: 'retention', element: <RetentionPage /> },
              { path: 'paths', element: <PathsPage /> },
              { path: 'attribution', element: <AttributionPage /> },
              { path: 'distribution', element: <DistributionPage /> },
              { path: 'interval', element: <IntervalPage /> },
              { path: 'properties', element: <PropertiesPage /> },
              { path: 'ltv', element: <LtvPage /> },
              { path: 'rfm', element: <RfmPage /> },
              { path: '*', element: <NotFound /> },
            ],
          },
          {
            path: 'admin',
            element: (
              <RequirePermission permission={PERM_ADMIN_USERS}>
                <Outlet />
              </RequirePermission>
            ),
            children: [
              { index: true, element: <Navigate to="/admin/users" replace /> },
              { path: 'users', element: <UsersPage /> },
              { path: 'roles', element: <RolesPage /> },
              {
                path: 'keys',
                element: (
                  <RequirePermission permission={PERM_ADMIN_KEYS}>
                    <KeysPage />
                  </RequirePermission>
                ),
              },
              {
                path: 'data',
                element: (
                  <RequirePermission permission={PERM_DATA_LOAD}>
                    <DataLoadsPage />
                  </RequirePermission>
                ),
              },
              {
                path: 'audit',
                element: (
                  <RequirePermission permission={PERM_AUDIT_READ}>
                    <AuditPage />
                  </RequirePermission>
                ),
              },
            ],
          },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);
