/** A metric row's switches and buttons: enable/disable, edit and delete (which names the rules still using it). */
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Switch, Tooltip } from 'antd';
import { useState } from 'react';
import type { ButtonProps } from 'antd';
import { errorMessage } from '../../api/errors';
import { monitorApi, type MetricRead, type RuleRead } from '../../api/monitor';
import { useI18n } from '../../i18n';

/** 已启用 / 已停用 as a switch; read-only (with who owns it) when the user may not change the metric. */
export function MetricStatusSwitch({ metric, onChanged }: { metric: MetricRead; onChanged: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const on = metric.enabled !== false;
  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      await monitorApi.updateMetric(metric.id, { enabled });
      message.success(t(enabled ? 'monitor3.metricEnabled' : 'monitor3.metricDisabled'));
      onChanged();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={metric.editable ? (on ? undefined : t('monitor3.disabledMetricHint')) : t('monitor3.notOwner', { org: metric.owner_org })}>
      <Switch
        size="small"
        checked={on}
        loading={busy}
        disabled={!metric.editable}
        onChange={toggle}
        checkedChildren={t('monitor3.enable')}
        unCheckedChildren={t('monitor3.disable')}
        data-testid={`metric-enabled-${metric.id}`}
      />
    </Tooltip>
  );
}

/** 编辑 and 删除 of a metric; deleting a metric that alert rules use is not offered, the rules are named instead. */
export function MetricRowActions({
  metric,
  rules,
  onEdit,
  onDeleted,
}: {
  metric: MetricRead;
  rules: RuleRead[];
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  if (!metric.editable) return null;
  const remove = async () => {
    try {
      await monitorApi.deleteMetric(metric.id);
      message.success(t('monitor3.deleted'));
      onDeleted();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };
  const inUse = () =>
    modal.warning({
      title: t('monitor3.delete'),
      content: t('monitor3.metricInUse', { n: rules.length, rules: rules.map((r) => r.name).join('、') }),
    });
  return (
    <>
      <Button size="small" type="link" icon={<EditOutlined />} onClick={onEdit} data-testid={`metric-edit-${metric.id}`}>
        {t('monitor3.edit')}
      </Button>
      {rules.length ? (
        <Button size="small" type="link" danger icon={<DeleteOutlined />} onClick={inUse} data-testid={`metric-delete-${metric.id}`}>
          {t('monitor3.delete')}
        </Button>
      ) : (
        <Popconfirm
          title={t('monitor3.deleteMetricConfirm', { name: metric.name })}
          onConfirm={remove}
          okButtonProps={{ danger: true, 'data-testid': 'metric-delete-ok' } as ButtonProps}
        >
          <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid={`metric-delete-${metric.id}`}>
            {t('monitor3.delete')}
          </Button>
        </Popconfirm>
      )}
    </>
  );
}
