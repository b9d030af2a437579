import {
  BarChartOutlined,
  DashboardOutlined,
  GiftOutlined,
  NodeIndexOutlined,
  SendOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { MenuProps } from 'antd';
import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n';
import { PERM_ADMIN_KEYS, PERM_ADMIN_USERS, PERM_ANALYTICS, PERM_AUDIT_READ } from '../auth/me';
import { PERM_DATA_LOAD } from '../api/data';

export interface NavItem {
  /** Route path; also the menu key. */
  path: string;
  label: MessageKey;
  icon?: ReactNode;
  permission?: string;
  children?: NavItem[];
}

export const NAV: NavItem[] = [
  {
    path: '/insight',
    label: 'menu.insight',
    icon: <TeamOutlined />,
    children: [
      { path: '/insight/customers', label: 'menu.customers' },
      { path: '/insight/tags', label: 'menu.tags' },
      { path: '/insight/segments', label: 'menu.segments' },
      { path: '/insight/ml/tree', label: 'menu.mlTree', permission: PERM_ANALYTICS },
      { path: '/insight/ml/churn', label: 'menu.mlChurn', permission: PERM_ANALYTICS },
      { path: '/insight/flows', label: 'menu.flows' },
      { path: '/insight/sets', label: 'menu.sets' },
    ],
  },
  {
    path: '/strategy',
    label: 'menu.strategy',
    icon: <NodeIndexOutlined />,
    permission: PERM_ANALYTICS,
    children: [
      { path: '/strategy/list', label: 'menu.strategyList' },
      { path: '/strategy/policy', label: 'menu.contactPolicy' },
    ],
  },
  {
    path: '/campaigns',
    label: 'menu.campaigns',
    icon: <GiftOutlined />,
    children: [
      { path: '/campaigns/all', label: 'menu.campaignsOverview' },
      { path: '/campaigns/benefits', label: 'menu.benefits' },
    ],
  },
  {
    path: '/reach',
    label: 'menu.reach',
    icon: <SendOutlined />,
    children: [
      { path: '/reach/delivery', label: 'menu.reachDelivery' },
      { path: '/reach/content', label: 'menu.reachContent' },
    ],
  },
  {
    path: '/monitor',
    label: 'menu.monitor',
    icon: <DashboardOutlined />,
    permission: PERM_ANALYTICS,
    children: [
      { path: '/monitor/mau-aum', label: 'menu.monitorMauAum' },
      { path: '/monitor/effects', label: 'effects.menu' },
      { path: '/monitor/dashboards', label: 'dash.menu' },
      { path: '/monitor/metrics', label: 'menu.monitorMetrics' },
      { path: '/monitor/alerts', label: 'menu.monitorAlerts' },
    ],
  },
  { path: '/analytics', label: 'menu.analytics', icon: <BarChartOutlined />, permission: PERM_ANALYTICS },
  {
    path: '/admin',
    label: 'menu.admin',
    icon: <SettingOutlined />,
    permission: PERM_ADMIN_USERS,
    children: [
      { path: '/admin/users', label: 'menu.users' },
      { path: '/admin/roles', label: 'menu.roles' },
      { path: '/admin/keys', label: 'menu.keys', permission: PERM_ADMIN_KEYS },
      { path: '/admin/audit', label: 'menu.audit', permission: PERM_AUDIT_READ },
      { path: '/admin/data', label: 'menu.dataLoads', permission: PERM_DATA_LOAD },
    ],
  },
];


type MenuItem = Required<MenuProps>['items'][number];

export function buildMenuItems(
  nav: NavItem[],
  can: (permission: string) => boolean,
  t: (key: MessageKey) => string,
): MenuItem[] {
  return nav
    .filter((item) => !item.permission || can(item.permission))
    .map((item) =>
      item.children
        ? {
            key: item.path,
            icon: item.icon,
            label: t(item.label),
            children: buildMenuItems(item.children, can, t),
          }
        : { key: item.path, icon: item.icon, label: t(item.label) },
    );
}

/** The deepest leaf path that is a prefix of `pathname` (so /insight/customers/42 selects Customer 360). */
export function selectedNavPath(nav: NavItem[], pathname: string): { selected?: string; open?: string } {
  for (const item of nav) {
    if (item.children) {
      for (const child of item.children) {
        if (pathname === child.path || pathname.startsWith(`${child.path}/`)) {
          return { selected: child.path, open: item.path };
        }
      }
    } else if (pathname === item.path || pathname.startsWith(`${item.path}/`)) {
      return { selected: item.path };
    }
  }
  return {};
}
