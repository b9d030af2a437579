import { lazy } from 'react';
import { Navigate, Outlet, createBrowserRouter } from 'react-router';
import { AuthProvider } from './auth/AuthProvider';
import { PERM_ADMIN_KEYS, PERM_ADMIN_USERS, PERM_AUDIT_READ } from './auth/me';
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
const NotBuilt = lazy(() => import('./common/NotBuilt'));
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
          { path: 'insight/tags', element: <NotBuilt module="tags" /> },
          { path: 'insight/segments', element: <NotBuilt module="segments" /> },
          { path: 'strategy/*', element: <NotBuilt module="strategy" /> },
          { path: 'campaigns/*', element: <NotBuilt module="campaigns" /> },
          { path: 'reach/*', element: <NotBuilt module="reach" /> },
          { path: 'monitor/*', element: <NotBuilt module="monitor" /> },
          { path: 'analytics/*', element: <NotBuilt module="analytics" /> },
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
