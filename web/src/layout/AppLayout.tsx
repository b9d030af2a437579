import { Layout, Menu, Spin } from 'antd';
import { Suspense, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/context';
import { useI18n } from '../i18n';
import { HeaderBar } from './HeaderBar';
import { buildMenuItems, NAV, selectedNavPath } from './menu';

const SIDER_KEY = 'mofang.sider.collapsed';

export function AppLayout() {
  const { t } = useI18n();
  const { can } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(() => localStorage.getItem(SIDER_KEY) === '1');
  const { selected, open } = selectedNavPath(NAV, location.pathname);
  const [openKeys, setOpenKeys] = useState<string[]>(open ? [open] : []);

  useEffect(() => {
    if (open) setOpenKeys((keys) => (keys.includes(open) ? keys : [...keys, open]));
  }, [open]);

  const items = useMemo(() => buildMenuItems(NAV, can, t), [can, t]);

  // Every page opens at its top: the content is its own scroll container and keeps its offset otherwise.
  // Keyed by the navigation, so a click on the current menu entry also brings its page back to the top.
  const contentRef = useRef<HTMLElement>(null);
  // Before paint (a layout effect), so no frame of the new page shows at the old offset.
  useLayoutEffect(() => {
    contentRef.current?.scrollTo({ top: 0, left: 0 });
  }, [location.key]);

  return (
    <Layout className="mf-shell">
      <HeaderBar />
      <Layout className="mf-body">
        <Layout.Sider
          width={208}
          collapsible
          collapsed={collapsed}
          onCollapse={(value) => {
            setCollapsed(value);
            localStorage.setItem(SIDER_KEY, value ? '1' : '0');
          }}
          theme="light"
          className="mf-sider"
        >
          <Menu
            mode="inline"
            items={items}
            selectedKeys={selected ? [selected] : []}
            openKeys={collapsed ? undefined : openKeys}
            onOpenChange={(keys) => setOpenKeys(keys)}
            onClick={({ key }) => navigate(key)}
            data-testid="side-menu"
          />
        </Layout.Sider>
        <Layout.Content className="mf-content" ref={contentRef} data-testid="page-content" data-path={location.pathname}>
          <Suspense
            fallback={
              <div className="mf-page-loading">
                <Spin />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
