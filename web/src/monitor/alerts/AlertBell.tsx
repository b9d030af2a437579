/** The header's alert bell: fired alerts this user has not read, the newest listed, a link to the alert list. */
import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { hasPermission, PERM_ANALYTICS } from '../../auth/me';
import { useAuth } from '../../auth/context';
import { monitorApi, type InboxAlert, type Severity } from '../../api/monitor';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';

const POLL_MS = 60_000;
const SEVERITY_COLOR: Record<Severity, string> = { info: 'blue', warning: 'orange', critical: 'red' };

function BellInbox() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const inbox = useApi((signal) => monitorApi.inbox(signal), [], { keepPrevious: true });
  const { reload } = inbox;
  // New alerts arrive with the daily evaluation (or a run by hand): look again every minute and on opening.
  useEffect(() => {
    const timer = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  const unread = inbox.data?.unread ?? 0;

  const openAlert = async (a: InboxAlert) => {
    if (!a.read) await monitorApi.markRead(a.id).catch(() => undefined);
    setOpen(false);
    reload();
    navigate('/monitor/alerts');
  };
  const readAll = async () => {
    await monitorApi.markAllRead().catch(() => undefined);
    reload();
  };

  const content = (
    <div style={{ width: 360 }} data-testid="alert-bell-panel">
      {inbox.data?.items.length ? (
        <List<InboxAlert>
          size="small"
          dataSource={inbox.data.items}
          renderItem={(a) => (
            <List.Item
              key={a.id}
              onClick={() => openAlert(a)}
              style={{ cursor: 'pointer', opacity: a.read ? 0.6 : 1 }}
              data-testid={`alert-bell-item-${a.id}`}
              data-read={a.read ? 'true' : 'false'}
            >
              <List.Item.Meta
                title={
                  <Space size={4}>
                    {!a.read && <Badge status="error" />}
                    <Tag color={SEVERITY_COLOR[a.severity]}>{t(`mal.severity.${a.severity}`)}</Tag>
                    <Typography.Text strong={!a.read} ellipsis style={{ maxWidth: 220 }}>
                      {a.rule_name}
                    </Typography.Text>
                  </Space>
                }
                description={
                  <Typography.Text type="secondary" ellipsis={{ tooltip: a.message }} style={{ maxWidth: 320 }}>
                    <span className="mf-num">{a.day}</span> {a.message}
                  </Typography.Text>
                }
              />
            </List.Item>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('monitor3.bellEmpty')} />
      )}
      <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 8 }}>
        <Link to="/monitor/alerts" onClick={() => setOpen(false)} data-testid="alert-bell-all">
          {t('monitor3.bellAll')}
        </Link>
        <Button size="small" type="link" disabled={!unread} onClick={readAll} data-testid="alert-bell-read-all">
          {t('monitor3.bellReadAll')}
        </Button>
      </div>
    </div>
  );

  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) reload();
      }}
      title={unread ? t('monitor3.bellUnread', { n: unread }) : t('monitor3.bell')}
      content={content}
    >
      <Button type="text" size="small" className="mf-header-btn" aria-label={t('monitor3.bell')} data-testid="alert-bell">
        <Badge count={unread} size="small" offset={[4, -2]} data-testid="alert-bell-count">
          <BellOutlined style={{ color: 'inherit', fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}

/** The bell, for users who may see the metric library's alerts (nothing otherwise). */
export function AlertBell() {
  const { me } = useAuth();
  return hasPermission(me, PERM_ANALYTICS) ? <BellInbox /> : null;
}
