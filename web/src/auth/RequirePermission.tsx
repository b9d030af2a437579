import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n';
import { useAuth } from './context';

export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useAuth();
  const t = useT();
  if (!can(permission)) {
    return <Result status="403" title="403" subTitle={t('common.error.forbidden')} />;
  }
  return <>{children}</>;
}
