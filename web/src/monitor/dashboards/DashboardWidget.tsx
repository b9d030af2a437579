import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  CloseOutlined,
  ColumnWidthOutlined,
  DownloadOutlined,
  ExportOutlined,
  ReloadOutlined,
} from '@ant-design/icons';
import { App, Button, Card, Popconfirm, Space, Spin, Tag, Tooltip, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { describeRange, resolveQuery } from '../../analytics/saved/range';
import { AnalysisView } from '../../analytics/views/AnalysisView';
import { analysisPath, savedApi, type DashboardItem } from '../../api/dashboards';
import { errorMessage } from '../../api/errors';
import type { Catalogue } from '../../api/insight';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { useI18n, type MessageKey } from '../../i18n';
import { rangeText } from './layout';

export interface WidgetActions {
  onResize: () => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  first: boolean;
  last: boolean;
}

/**
 * One pinned analysis: runs it (under the viewer's own data scope) and draws the same view as its analysis
 * page. `refreshKey` changes when the dashboard's 全部刷新 is pressed; `actions` is absent for read-only viewers.
 */
export function DashboardWidget({
  item,
  catalogue,
  refreshKey,
  actions,
}: {
  item: DashboardItem;
  catalogue?: Catalogue;
  refreshKey: number;
  actions?: WidgetActions;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { analysis } = item;
  const run = useApi((signal) => savedApi.run(item.analysis_id, signal), [item.analysis_id, refreshKey], { keepPrevious: true });
  const [exporting, setExporting] = useState(false);
  const range = describeRange(analysis.range, resolveQuery(analysis.query, analysis.range), run.data?.query);

  const exportCsv = async () => {
    setExporting(true);
    try {
      await savedApi.exportCsv(analysis.id);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setExporting(false);
    }
  };

  const title = (
    <div>
      <Space size={6} wrap>
        <span data-testid="dash-widget-name">{analysis.name}</span>
        <Tag>{t(`an.model.${analysis.model}` as MessageKey)}</Tag>
      </Space>
      <div className="mf-dash-widget-sub mf-num" data-testid="dash-widget-range">
        {rangeText(range, t)}
      </div>
    </div>
  );

  const extra = (
    <Space size={0} wrap>
      <Tooltip title={t('dash.widget.refresh')}>
        <Button size="small" type="text" icon={<ReloadOutlined />} loading={run.loading && !!run.data} onClick={run.reload} aria-label={t('dash.widget.refresh')} data-testid="dash-widget-refresh" />
      </Tooltip>
      <Tooltip title={t('dash.widget.openHint')}>
        <Button
          size="small"
          type="text"
          icon={<ExportOutlined />}
          onClick={() => navigate(analysisPath(analysis.model, analysis.id))}
          data-testid="dash-widget-open"
        >
          {t('dash.widget.open')}
        </Button>
      </Tooltip>
      <Tooltip title={t('dash.widget.export')}>
        <Button size="small" type="text" icon={<DownloadOutlined />} loading={exporting} onClick={exportCsv} aria-label={t('dash.widget.export')} data-testid="dash-widget-export" />
      </Tooltip>
      {actions && (
        <>
          <Tooltip title={t(item.size === 'half' ? 'dash.widget.full' : 'dash.widget.half')}>
            <Button size="small" type="text" icon={<ColumnWidthOutlined />} onClick={actions.onResize} aria-label={t(item.size === 'half' ? 'dash.widget.full' : 'dash.widget.half')} data-testid="dash-widget-size" />
          </Tooltip>
          <Tooltip title={t('dash.widget.up')}>
            <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={actions.first} onClick={() => actions.onMove(-1)} aria-label={t('dash.widget.up')} data-testid="dash-widget-up" />
          </Tooltip>
          <Tooltip title={t('dash.widget.down')}>
            <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={actions.last} onClick={() => actions.onMove(1)} aria-label={t('dash.widget.down')} data-testid="dash-widget-down" />
          </Tooltip>
          <Popconfirm title={t('dash.widget.removeConfirm', { name: analysis.name })} onConfirm={actions.onRemove} okButtonProps={{ danger: true, 'data-testid': 'dash-widget-remove-ok' } as ButtonProps}>
            <Tooltip title={t('dash.widget.remove')}>
              <Button size="small" type="text" danger icon={<CloseOutlined />} aria-label={t('dash.widget.remove')} data-testid="dash-widget-remove" />
            </Tooltip>
          </Popconfirm>
        </>
      )}
    </Space>
  );

  return (
    <Card
      size="small"
      className={`mf-card mf-dash-widget${item.size === 'full' ? ' mf-dash-full' : ''}`}
      title={title}
      extra={extra}
      data-testid="dash-widget"
      data-item-id={item.id}
      data-size={item.size}
    >
      <div className="mf-dash-widget-body">
        {run.error !== undefined && <ErrorAlert error={run.error} onRetry={run.reload} />}
        {run.data ? (
          <div style={{ opacity: run.loading ? 0.5 : 1 }}>
            <AnalysisView run={run.data} catalogue={catalogue} compact={item.size === 'half'} />
          </div>
        ) : (
          run.loading && (
            <div className="mf-dash-widget-loading">
              <Spin />
            </div>
          )
        )}
      </div>
    </Card>
  );
}
