import type { ReactElement } from 'react';
import { Tabs } from 'antd';
import { useAuth } from '../auth/context';
import { PERM_ADMIN_KEYS, PERM_ANALYTICS, PERM_CUSTOMERS_READ } from '../auth/me';
import { PageHeader } from '../common/PageHeader';
import { useT } from '../i18n';
import { ChannelsTab } from './ChannelsTab';
import { DeliveryLogTab } from './DeliveryLogTab';
import { RmTasksTab } from './RmTasksTab';
import { StatsTab } from './StatsTab';

/** 触达中心: channels (administrators), the delivery log, dead letters, RM tasks and per-channel figures. */
export default function ReachPage() {
  const t = useT();
  const { me } = useAuth();
  const can = (p: string) => me?.permissions.includes(p) ?? false;
  const items = [
    can(PERM_CUSTOMERS_READ) && { key: 'log', label: t('reach.tab.log'), children: <DeliveryLogTab dead={false} /> },
    can(PERM_CUSTOMERS_READ) && { key: 'dead', label: t('reach.tab.dead'), children: <DeliveryLogTab dead /> },
    can(PERM_CUSTOMERS_READ) && { key: 'tasks', label: t('reach.tab.tasks'), children: <RmTasksTab /> },
    can(PERM_ANALYTICS) && { key: 'stats', label: t('reach.tab.stats'), children: <StatsTab /> },
    can(PERM_ADMIN_KEYS) && { key: 'channels', label: t('reach.tab.channels'), children: <ChannelsTab /> },
  ].filter((x): x is { key: string; label: string; children: ReactElement } => Boolean(x));
  return (
    <>
      <PageHeader title={t('reach.title')} subtitle={t('reach.subtitle')} />
      <Tabs items={items} destroyOnHidden data-testid="reach-tabs" />
    </>
  );
}
