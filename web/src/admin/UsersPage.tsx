import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { adminApi } from '../api/endpoints';
import type { AdminUser } from '../api/types';
import { useAuth } from '../auth/context';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime, orDash } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { UserCreateModal } from './UserCreateModal';
import { UserEditModal, userErrorMessage } from './UserEditModal';
import { UserPasswordModal } from './UserPasswordModal';

export default function UsersPage() {
  const { t, lang, tv } = useI18n();
  const { message } = App.useApp();
  const { me } = useAuth();
  const users = useApi((signal) => adminApi.users(signal), []);
  const roles = useApi((signal) => adminApi.roles(signal), []);
  const [creating, setCreating] = useState(false);
  const [busyId, setBusyId] = useState<AdminUser['id'] | null>(null);
  const [editing, setEditing] = useState<AdminUser | null>(null);
  const [resetting, setResetting] = useState<AdminUser | null>(null);

  const roleName = (id: string) => {
    const role = roles.data?.items.find((r) => r.id === id);
    if (!role) return tv('role', id);
    return lang === 'en' ? role.name_en || role.name : role.name;
  };

  const setActive = async (user: AdminUser, active: boolean) => {
    setBusyId(user.id);
    try {
      await adminApi.updateUser(user.id, { active });
      message.success(t(active ? 'admin2.users.enabled' : 'admin2.users.disabled'));
      users.reload();
    } catch (err) {
      message.error(userErrorMessage(err, t));
    } finally {
      setBusyId(null);
    }
  };

  const columns: ColumnsType<AdminUser> = [
    {
      title: t('admin.users.col.username'),
      dataIndex: 'username',
      width: 160,
      render: (v: string) => (
        <span>
          <span className="mf-mono">{v}</span>
          {me?.username === v && (
            <Tag color="blue" style={{ marginInlineStart: 6 }}>
              {t('admin.users.self')}
            </Tag>
          )}
        </span>
      ),
    },
    { title: t('admin.users.col.displayName'), dataIndex: 'display_name', width: 120, render: orDash },
    {
      title: t('admin.users.col.role'),
      dataIndex: 'role',
      width: 140,
      render: (v: string) => <Tag>{roleName(v)}</Tag>,
    },
    {
      title: t('admin.users.col.org'),
      key: 'org',
      render: (_: unknown, u) => (
        <span>
          {orDash(u.org_name)}{' '}
          <Typography.Text type="secondary" className="mf-mono">
            ({u.org_code})
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t('admin.users.col.status'),
      dataIndex: 'active',
      width: 100,
      render: (active: boolean) =>
        active ? (
          <Badge status="success" text={t('admin.users.active')} />
        ) : (
          <Badge status="default" text={t('admin.users.inactive')} />
        ),
    },
    {
      title: t('admin.users.col.createdAt'),
      dataIndex: 'created_at',
      width: 160,
      render: (v: string | null) => <span className="mf-num">{formatDateTime(v)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 200,
      render: (_: unknown, u) => {
        const name = u.display_name || u.username;
        const self = me?.username === u.username;
        return (
          <Space size={0}>
            <Button type="link" size="small" onClick={() => setEditing(u)} data-testid={`user-edit-${u.username}`}>
              {t('admin2.users.edit')}
            </Button>
            <Button type="link" size="small" onClick={() => setResetting(u)} data-testid={`user-reset-password-${u.username}`}>
              {t('admin2.users.resetPassword')}
            </Button>
            {/* Disabling oneself would end the session at once: another admin does that. */}
            {!self &&
              (u.active ? (
                <Popconfirm
                  title={t('admin.users.confirmDeactivate', { name })}
                  okText={t('admin.users.deactivate')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('common.cancel')}
                  onConfirm={() => setActive(u, false)}
                >
                  <Button type="link" size="small" danger loading={busyId === u.id} data-testid={`user-deactivate-${u.username}`}>
                    {t('admin.users.deactivate')}
                  </Button>
                </Popconfirm>
              ) : (
                <Popconfirm
                  title={t('admin.users.confirmActivate', { name })}
                  okText={t('admin.users.activate')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => setActive(u, true)}
                >
                  <Button type="link" size="small" loading={busyId === u.id} data-testid={`user-activate-${u.username}`}>
                    {t('admin.users.activate')}
                  </Button>
                </Popconfirm>
              ))}
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <PageHeader
        title={t('admin.users.title')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={users.reload}>
              {t('common.refresh')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="user-create">
              {t('admin.users.create')}
            </Button>
          </>
        }
      />
      <Card variant="borderless" className="mf-card">
        {users.error !== undefined && <ErrorAlert error={users.error} onRetry={users.reload} />}
        <Table<AdminUser>
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={users.data?.items ?? []}
          loading={users.loading}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
          scroll={{ x: 1000 }}
        />
      </Card>
      <UserEditModal
        user={editing}
        roles={roles.data?.items ?? []}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          users.reload();
        }}
      />
      <UserPasswordModal user={resetting} onClose={() => setResetting(null)} />
      <UserCreateModal
        open={creating}
        roles={roles.data?.items ?? []}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          users.reload();
        }}
      />
    </>
  );
}
