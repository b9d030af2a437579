import { ArrowLeftOutlined, EditOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCatalogue } from '../../analytics/common';
import { dashboardsApi, type DashboardItem } from '../../api/dashboards';
import { errorMessage } from '../../api/errors';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { DashboardFormModal } from './DashboardFormModal';
import { DashboardWidget } from './DashboardWidget';
import { moveItem } from './layout';
import './dashboards.css';

/** One dashboard: its pinned analyses as a grid of widgets, each drawn like its analysis page. */
export default function DashboardPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const dash = useApi((signal) => dashboardsApi.get(id, signal), [id]);
  const catalogue = useCatalogue();
  const [refreshKey, setRefreshKey] = useState(0);
  const [editing, setEditing] = useState(false);
  const d = dash.data;
  const editable = !!d?.can_edit;
  const items = [...(d?.items ?? [])].sort((a, b) => a.position - b.position);

  // Every change goes to the server first; the page then shows what the server holds.
  const change = async (fn: () => Promise<unknown>, done?: string) => {
    try {
      await fn();
      if (done) message.success(done);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      dash.reload();
    }
  };
  const actionsFor = (item: DashboardItem, index: number) =>
    editable
      ? {
          first: index === 0,
          last: index === items.length - 1,
          onResize: () => change(() => dashboardsApi.resize(id, item.id, item.size === 'half' ? 'full' : 'half')),
          onMove: (delta: -1 | 1) => change(() => dashboardsApi.reorder(id, moveItem(items.map((i) => i.id), index, delta))),
          onRemove: () => change(() => dashboardsApi.removeItem(id, item.id), t('dash.widget.removed')),
        }
      : undefined;

  return (
    <>
      <PageHeader
        back={
          <Link to="/monitor/dashboards" aria-label={t('dash.back')}>
            <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('dash.back')} />
          </Link>
        }
        title={
          <span data-testid="dash-title">
            {d?.name ?? t('dash.title')} {d?.shared && <Tag color="blue">{t('dash.sharedYes')}</Tag>}
          </span>
        }
        subtitle={d?.description || undefined}
        extra={
          d && (
            <>
              <Button icon={<ReloadOutlined />} onClick={() => setRefreshKey((k) => k + 1)} disabled={!items.length} data-testid="dash-refresh">
                {t('dash.refreshAll')}
              </Button>
              {editable && (
                <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="dash-edit">
                  {t('dash.edit')}
                </Button>
              )}
            </>
          )
        }
      />
      {dash.error !== undefined && <ErrorAlert error={dash.error} onRetry={dash.reload} />}
      {!d && dash.loading && (
        <div className="mf-page-loading">
          <Spin />
        </div>
      )}
      {d && !editable && <Alert type="info" showIcon title={t('dash.readOnly', { owner: d.owner })} style={{ marginBottom: 16 }} />}
      {d && items.length === 0 && (
        <Card variant="borderless" className="mf-card">
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dash.noItems')} data-testid="dash-empty">
            <Typography.Paragraph type="secondary">{t('dash.emptyHint')}</Typography.Paragraph>
            <Link to="/analytics">{t('dash.goAnalytics')}</Link>
          </Empty>
        </Card>
      )}
      {items.length > 0 && (
        <div className="mf-dash-grid" data-testid="dash-grid">
          {items.map((item, i) => (
            <DashboardWidget key={item.id} item={item} catalogue={catalogue.data} refreshKey={refreshKey} actions={actionsFor(item, i)} />
          ))}
        </div>
      )}
      {editing && d && (
        <DashboardFormModal
          dashboard={d}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            dash.reload();
          }}
        />
      )}
    </>
  );
}
