import { Button, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { errorMessage } from '../api/errors';
import { useT } from '../i18n';
import { useAuth } from './context';

/** Renders children only for a signed-in user whose profile has loaded. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, error, reloadMe, logout } = useAuth();
  const location = useLocation();
  const t = useT();

  if (status === 'anonymous') {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  if (status === 'loading') {
    return (
      <div className="mf-fullscreen-center">
        <Spin size="large" />
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div className="mf-fullscreen-center">
        <Result
          status="warning"
          title={t('header.profileError')}
          subTitle={errorMessage(error, t)}
          extra={[
            <Button key="retry" type="primary" onClick={reloadMe}>
              {t('common.retry')}
            </Button>,
            <Button key="logout" onClick={logout}>
              {t('header.logout')}
            </Button>,
          ]}
        />
      </div>
    );
  }
  return <>{children}</>;
}
