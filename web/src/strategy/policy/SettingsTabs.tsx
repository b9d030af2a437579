import { Alert, App, Button, Checkbox, Descriptions, Form, InputNumber, Popconfirm, Radio, Space, Switch, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { useActorName } from '../../common/actor';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { type MessageKey, useT } from '../../i18n';
import { CHANNELS, type Channel, policyApi } from './api';
import { validPercent } from './ruleForm';

/** Bank-wide settings of the contact policy: quiet hours and the global control group. */
interface QuietForm {
  range: [Dayjs, Dayjs];
  action: 'defer' | 'drop';
  exempt: boolean;
  exemptChannels: Channel[];
  enabled: boolean;
}

/** The channels quiet hours spare unless the bank says otherwise (they wait for the customer). */
const QUIET_EXEMPT_DEFAULT: Channel[] = ['inbox', 'placement', 'rm_task'];

export function QuietTab({ canEdit }: { canEdit: boolean }) {
  const t = useT();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi((signal) => policyApi.quietHours(signal), []);
  const [saving, setSaving] = useState(false);
  if (error !== undefined) return <ErrorAlert error={error} onRetry={reload} />;
  if (loading && data === undefined) return null;
  const rule = data?.rule.kind === 'quiet_hours' ? data.rule : null;
  const initial: QuietForm = {
    range: [dayjs(rule?.start ?? '21:00', 'HH:mm'), dayjs(rule?.end ?? '09:00', 'HH:mm')],
    action: rule?.action ?? 'defer',
    exempt: rule?.exempt_service ?? true,
    exemptChannels: rule?.exempt_channels ?? QUIET_EXEMPT_DEFAULT,
    enabled: data?.enabled ?? true,
  };

  const save = async (v: QuietForm) => {
    setSaving(true);
    try {
      await policyApi.setQuietHours(
        { start: v.range[0].format('HH:mm'), end: v.range[1].format('HH:mm'), action: v.action, exempt_service: v.exempt,
          exempt_channels: v.exemptChannels },
        v.enabled,
      );
      message.success(t('policy.quiet.saved'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Alert type="info" showIcon title={t('policy.quiet.note')} style={{ marginBottom: 12 }} />
      {!data && <Typography.Paragraph type="secondary">{t('policy.quiet.none')}</Typography.Paragraph>}
      <Form<QuietForm> name="policyQuiet" layout="inline" initialValues={initial} onFinish={save} disabled={!canEdit} key={data?.id ?? 0}>
        <Form.Item name="range" label={t('policy.quiet.title')}>
          <TimePicker.RangePicker format="HH:mm" order={false} allowClear={false} />
        </Form.Item>
        <Form.Item name="action">
          <Radio.Group
            options={(['defer', 'drop'] as const).map((a) => ({ value: a, label: t(`policy.action.${a}` as MessageKey) }))}
          />
        </Form.Item>
        <Form.Item name="exempt" label={t('policy.form.exemptService')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="exemptChannels" label={t('policy.form.exemptChannels')}>
          <Checkbox.Group options={CHANNELS.map((c) => ({ value: c, label: t(`policy.channel.${c}` as MessageKey) }))} />
        </Form.Item>
        <Form.Item name="enabled" label={t('policy.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        {canEdit && (
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('policy.quiet.save')}
          </Button>
        )}
      </Form>
    </>
  );
}

export function ControlTab({ canEdit }: { canEdit: boolean }) {
  const t = useT();
  const actor = useActorName();
  const { message } = App.useApp();
  const { data, error, reload } = useApi((signal) => policyApi.controlGroup(signal), []);
  const [percent, setPercent] = useState<number | null>(null);
  const value = percent ?? data?.percent ?? 0;

  const act = async (fn: () => Promise<unknown>, ok: MessageKey) => {
    try {
      await fn();
      message.success(t(ok));
      setPercent(null);
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  if (error !== undefined) return <ErrorAlert error={error} onRetry={reload} />;
  return (
    <>
      <Alert type="info" showIcon title={t('policy.control.note')} style={{ marginBottom: 12 }} />
      <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('policy.control.title')}>
          {data?.drawn_at
            ? t('policy.control.drawn', { at: formatDateTime(data.drawn_at), by: actor(data.drawn_by) })
            : t('policy.control.neverDrawn')}
        </Descriptions.Item>
      </Descriptions>
      <Space>
        <span>{t('policy.control.percent')}</span>
        <InputNumber min={0} max={50} step={0.5} value={value} onChange={(v) => setPercent(v)} disabled={!canEdit} />
        {canEdit && (
          <>
            <Button
              type="primary"
              disabled={!validPercent(value) || value === data?.percent}
              onClick={() => act(() => policyApi.setControlGroup(value), 'policy.control.saved')}
            >
              {t('policy.control.save')}
            </Button>
            <Popconfirm
              title={t('policy.control.confirmRedraw')}
              okButtonProps={{ danger: true }}
              okText={t('policy.control.redraw')}
              cancelText={t('common.cancel')}
              onConfirm={() => act(() => policyApi.redrawControlGroup(), 'policy.control.redrawn')}
              overlayStyle={{ maxWidth: 360 }}
            >
              <Button danger>{t('policy.control.redraw')}</Button>
            </Popconfirm>
          </>
        )}
      </Space>
    </>
  );
}
