import { ApartmentOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Divider, Layout, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ChangePasswordModal } from '../auth/ChangePasswordModal';
import { useAuth } from '../auth/context';
import { useI18n } from '../i18n';
import { LangSwitch } from './LangSwitch';
import { Logo } from './Logo';
import { AlertBell } from '../monitor/alerts/AlertBell';

export function HeaderBar() {
  const { t, lang } = useI18n();
  const { me, logout } = useAuth();
  const roleName = lang === 'en' ? me?.roleNameEn || me?.roleName : me?.roleName;
  const [changing, setChanging] = useState(false);

  return (
    <Layout.Header className="mf-header">
      <Link to="/" className="mf-brand">
        <Logo size={26} />
        <span className="mf-brand-name">{t('app.name')}</span>
      </Link>
      <Space size={4} className="mf-header-right" separator={<Divider orientation="vertical" className="mf-header-divider" />}>
        {me && (
          <Space size={8} data-testid="current-user">
            <UserOutlined />
            <Typography.Text className="mf-header-text" strong>
              {me.displayName}
            </Typography.Text>
            {roleName && (
              <Tag color="blue" variant="filled" className="mf-header-tag">
                {roleName}
              </Tag>
            )}
            {me.orgName && (
              <Tooltip title={me.orgCode}>
                <Typography.Text className="mf-header-text mf-header-org">
                  <ApartmentOutlined /> {me.orgName}
                </Typography.Text>
              </Tooltip>
            )}
          </Space>
        )}
        <AlertBell />
        <LangSwitch dark />
        {me && (
          <Button
            type="text"
            size="small"
            icon={<KeyOutlined />}
            onClick={() => setChanging(true)}
            className="mf-header-btn"
            data-testid="change-password"
          >
            {t('auth.changePassword')}
          </Button>
        )}
        <Button
          type="text"
          size="small"
          icon={<LogoutOutlined />}
          onClick={logout}
          className="mf-header-btn"
          data-testid="logout"
        >
          {t('header.logout')}
        </Button>
      </Space>
      <ChangePasswordModal open={changing} onClose={() => setChanging(false)} />
    </Layout.Header>
  );
}
