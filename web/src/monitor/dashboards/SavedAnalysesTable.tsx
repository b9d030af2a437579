import { DeleteOutlined, PushpinOutlined } from '@ant-design/icons';
import { App, Button, Form, Modal, Popconfirm, Select, Space, Table, Tag, Typography, type ButtonProps } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { Link } from 'react-router';
import { describeRange, resolveQuery } from '../../analytics/saved/range';
import { analysisPath, dashboardsApi, savedApi, type SavedAnalysis, type WidgetSize } from '../../api/dashboards';
import { errorMessage } from '../../api/errors';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { useI18n, type MessageKey } from '../../i18n';
import { rangeText } from './layout';

/** 已保存的分析: every saved analysis the user sees, to open, pin to a dashboard or delete. */
export function SavedAnalysesTable({ onPinned }: { onPinned: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const list = useApi((signal) => savedApi.list(signal), []);
  const [pinning, setPinning] = useState<SavedAnalysis>();

  const remove = async (a: SavedAnalysis) => {
    try {
      await savedApi.remove(a.id);
      message.success(t('dash.saved.deleted'));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      list.reload();
      onPinned();
    }
  };

  return (
    <>
      {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
      <Table<SavedAnalysis>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        data-testid="saved-table"
        onRow={(a) => ({ 'data-testid': `saved-row-${a.id}` }) as HTMLAttributes<HTMLElement>}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
        scroll={{ x: 960 }}
        locale={{ emptyText: t('dash.saved.empty') }}
        columns={[
          {
            title: t('dash.save.name'),
            dataIndex: 'name',
            render: (name: string, a) => (
              <div>
                <Link to={analysisPath(a.model, a.id)} data-testid={`saved-open-${a.id}`}>
                  {name}
                </Link>
                {a.description && (
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {a.description}
                    </Typography.Text>
                  </div>
                )}
              </div>
            ),
          },
          { title: t('dash.saved.model'), dataIndex: 'model', render: (m: string) => <Tag>{t(`an.model.${m}` as MessageKey)}</Tag> },
          {
            title: t('dash.save.range'),
            key: 'range',
            render: (_: unknown, a) => (
              <span className="mf-num">{rangeText(describeRange(a.range, resolveQuery(a.query, a.range)), t)}</span>
            ),
          },
          { title: t('dash.owner'), dataIndex: 'owner', render: (v: string) => <span className="mf-mono">{v}</span> },
          {
            title: t('dash.shared'),
            dataIndex: 'shared',
            render: (shared: boolean) => (shared ? <Tag color="blue">{t('dash.sharedYes')}</Tag> : <Tag>{t('dash.sharedNo')}</Tag>),
          },
          { title: t('dash.saved.updatedAt'), dataIndex: 'updated_at', render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span> },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, a) => (
              <Space size={0}>
                <Button size="small" type="link" icon={<PushpinOutlined />} onClick={() => setPinning(a)} data-testid={`saved-pin-${a.id}`}>
                  {t('dash.saved.pin')}
                </Button>
                {a.can_edit && (
                  <Popconfirm title={t('dash.saved.deleteConfirm', { name: a.name })} onConfirm={() => remove(a)} okButtonProps={{ danger: true }}>
                    <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid={`saved-delete-${a.id}`}>
                      {t('dash.delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {pinning && (
        <PinModal
          analysis={pinning}
          onClose={() => setPinning(undefined)}
          onPinned={() => {
            setPinning(undefined);
            onPinned();
          }}
        />
      )}
    </>
  );
}

/** Pins a saved analysis to one of the dashboards the user may change. */
function PinModal({ analysis, onClose, onPinned }: { analysis: SavedAnalysis; onClose: () => void; onPinned: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const boards = useApi((signal) => dashboardsApi.list(signal), []);
  const [dashboard, setDashboard] = useState<number>();
  const [size, setSize] = useState<WidgetSize>('half');
  const [saving, setSaving] = useState(false);
  const pin = async () => {
    if (dashboard === undefined) return;
    setSaving(true);
    try {
      await dashboardsApi.addItem(dashboard, analysis.id, size);
      message.success(t('dash.saved.pinned'));
      onPinned();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      title={t('dash.saved.pinTitle', { name: analysis.name })}
      onCancel={onClose}
      onOk={pin}
      okText={t('dash.saved.pin')}
      okButtonProps={{ loading: saving, disabled: dashboard === undefined, 'data-testid': 'pin-ok' } as ButtonProps}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('dash.saved.dashboard')} extra={t('dash.save.dashboardHint')}>
          <Select
            value={dashboard}
            onChange={setDashboard}
            loading={boards.loading}
            options={(boards.data ?? [])
              .filter((d) => d.can_edit)
              .map((d) => ({ value: d.id, label: d.name, disabled: d.items.some((i) => i.analysis_id === analysis.id) }))}
            data-testid="pin-dashboard"
          />
        </Form.Item>
        <Form.Item label={t('dash.saved.size')}>
          <Select
            value={size}
            onChange={setSize}
            style={{ width: 160 }}
            options={[
              { value: 'half', label: t('dash.widget.half') },
              { value: 'full', label: t('dash.widget.full') },
            ]}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
