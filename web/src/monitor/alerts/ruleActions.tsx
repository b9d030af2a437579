/** A rule row's switch, buttons and channels: enable/disable, edit, delete, and where its alerts go. */
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space, Switch, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import type { ButtonProps } from 'antd';
import { errorMessage } from '../../api/errors';
import { monitorApi, type RuleRead } from '../../api/monitor';
import { useI18n } from '../../i18n';

/** E-mail recipients and webhook, or (neither configured) that the rule notifies inside the console only. */
export function RuleChannels({ rule }: { rule: RuleRead }) {
  const { t } = useI18n();
  if (!rule.emails.length && !rule.webhook_url) {
    return (
      <Typography.Text type="secondary" data-testid={`rule-no-channel-${rule.id}`}>
        {t('monitor3.noChannel')}
      </Typography.Text>
    );
  }
  return (
    <Space size={[0, 4]} wrap>
      {rule.emails.map((e) => (
        <Tag key={e}>{e}</Tag>
      ))}
      {rule.webhook_url && (
        <Tooltip title={rule.webhook_url}>
          <Tag color="geekblue">{t('mal.webhookShort')}</Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/** 启用/停用 switch of a rule. */
export function RuleStatusSwitch({ rule, onChanged }: { rule: RuleRead; onChanged: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      await monitorApi.updateRule(rule.id, { enabled });
      message.success(t(enabled ? 'monitor3.ruleEnabled' : 'monitor3.ruleDisabled'));
      onChanged();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Tooltip title={rule.editable ? undefined : t('monitor3.notOwner', { org: rule.owner_org })}>
      <Switch
        size="small"
        checked={rule.enabled}
        loading={busy}
        disabled={!rule.editable}
        onChange={toggle}
        checkedChildren={t('monitor3.enable')}
        unCheckedChildren={t('monitor3.disable')}
        data-testid={`rule-enabled-${rule.id}`}
      />
    </Tooltip>
  );
}

/** 编辑 and 删除 (with its alert history) of a rule the user may change. */
export function RuleRowActions({ rule, onEdit, onDeleted }: { rule: RuleRead; onEdit: () => void; onDeleted: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  if (!rule.editable) return null;
  const remove = async () => {
    try {
      await monitorApi.deleteRule(rule.id);
      message.success(t('monitor3.deleted'));
      onDeleted();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };
  return (
    <Space size={0}>
      <Button size="small" type="link" icon={<EditOutlined />} onClick={onEdit} data-testid={`rule-edit-${rule.id}`}>
        {t('monitor3.edit')}
      </Button>
      <Popconfirm
        title={t('monitor3.deleteRuleConfirm', { name: rule.name })}
        onConfirm={remove}
        okButtonProps={{ danger: true, 'data-testid': 'rule-delete-ok' } as ButtonProps}
      >
        <Button size="small" type="link" danger icon={<DeleteOutlined />} data-testid={`rule-delete-${rule.id}`}>
          {t('monitor3.delete')}
        </Button>
      </Popconfirm>
    </Space>
  );
}
