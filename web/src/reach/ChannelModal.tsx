import { Alert, Button, Form, Input, InputNumber, Modal, Select, Switch } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { CHANNEL_KINDS, REACH, type ProviderKind, type ReachChannel } from '../api/reach';
import { type MessageKey, useI18n } from '../i18n';
import {
  GATEWAY_TEMPLATE,
  type ChannelFormValues,
  createBody,
  parseConfig,
  providersFor,
  updateBody,
  valuesOf,
} from './channelForm';
import { channelKey } from './labels';
import { AiCallForm, AliyunSmsForm, JPushForm, PlacementForm, SmtpForm, VendorSandboxForm, WeChatForm } from './vendors/VendorSettings';

const EMPTY: ChannelFormValues = {
  channel: 'sms', name: '', provider: 'sandbox', configText: '{}', secrets: {}, unit_cost_fen: 0,
  rate_per_second: 100, burst: 100, max_attempts: 5, active: true,
};

/** Create or edit one channel configuration; secrets are typed here and never shown back. */
export function ChannelModal({ channel, kinds, onClose, onSaved }: {
  channel: ReachChannel | null;
  kinds: ProviderKind[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t, tv } = useI18n();
  const [form] = Form.useForm<ChannelFormValues>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const initial = channel ? valuesOf(channel) : EMPTY;
  const kind = Form.useWatch('channel', form) ?? initial.channel;
  const provider = Form.useWatch('provider', form) ?? initial.provider;
  const spec = kinds.find((k) => k.kind === provider);

  const save = async () => {
    let values: ChannelFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const parsed = parseConfig(values.configText ?? '');
    if ('error' in parsed) {
      form.setFields([{ name: 'configText', errors: [t(parsed.error as MessageKey)] }]);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const full = { ...values, secrets: values.secrets ?? {} };
      if (channel) await api.patch(`${REACH}/channels/${channel.id}`, updateBody(channel, full, parsed.config));
      else await api.post(`${REACH}/channels`, createBody(full, parsed.config));
      onSaved();
    } catch (err) {
      setProblem(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={720}
      title={t(channel ? 'reach.form.title.edit' : 'reach.form.title.new')}
      onCancel={onClose}
      onOk={save}
      confirmLoading={busy}
      okText={t('reach.form.save')}
      cancelText={t('reach.form.cancel')}
      destroyOnHidden
    >
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} data-testid="reach-channel-error" />}
      <Form<ChannelFormValues> form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="channel" label={t('reach.form.channel')} rules={[{ required: true, message: t('reach.form.required') }]}>
          <Select disabled={channel !== null} options={CHANNEL_KINDS.map((c) => ({ value: c, label: t(channelKey(c)) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('reach.form.name')} rules={[{ required: true, whitespace: true, message: t('reach.form.required') }]}>
          <Input maxLength={64} data-testid="reach-channel-name" />
        </Form.Item>
        <Form.Item name="provider" label={t('reach.form.provider')} rules={[{ required: true, message: t('reach.form.required') }]}>
          <Select
            disabled={channel !== null}
            options={providersFor(kinds, kind).map((k) => ({ value: k.kind, label: tv('reach.provider', k.kind) }))}
          />
        </Form.Item>
        {provider === 'aliyun_sms' && <AliyunSmsForm form={form} />}
        {provider === 'jpush' && <JPushForm form={form} />}
        {provider === 'wechat_template' && <WeChatForm form={form} />}
        {provider === 'smtp' && <SmtpForm form={form} />}
        {provider === 'ai_call' && <AiCallForm form={form} />}
        {provider === 'placement' && <PlacementForm form={form} />}
        {provider.endsWith('_sandbox') && <VendorSandboxForm form={form} />}
        <Form.Item name="configText" label={t('reach.form.config')} extra={t('reach.form.config.help')}>
          <Input.TextArea rows={8} style={{ fontFamily: 'monospace' }} data-testid="reach-channel-config" />
        </Form.Item>
        {provider === 'http_gateway' && (
          <Button size="small" style={{ marginTop: -12, marginBottom: 12 }}
            onClick={() => form.setFieldValue('configText', JSON.stringify(GATEWAY_TEMPLATE, null, 2))}>
            {t('reach.form.template')}
          </Button>
        )}
        {spec && spec.secret_fields.length > 0 && (
          <Form.Item label={t('reach.form.secrets')}>
            {spec.secret_fields.map((f) => (
              <Form.Item key={f} name={['secrets', f]} label={f} style={{ marginBottom: 8 }}>
                <Input.Password
                  autoComplete="new-password"
                  placeholder={channel?.secrets[f] ? t('reach.form.secret.keep') : t('reach.form.secret.none')}
                />
              </Form.Item>
            ))}
          </Form.Item>
        )}
        <Form.Item name="unit_cost_fen" label={t('reach.form.cost')}>
          <InputNumber min={0} max={100000} precision={0} />
        </Form.Item>
        <Form.Item name="rate_per_second" label={t('reach.form.rate')}>
          <InputNumber min={0.1} max={100000} />
        </Form.Item>
        <Form.Item name="burst" label={t('reach.form.burst')}>
          <InputNumber min={1} max={1000000} precision={0} />
        </Form.Item>
        <Form.Item name="max_attempts" label={t('reach.form.attempts')}>
          <InputNumber min={1} max={20} precision={0} />
        </Form.Item>
        <Form.Item name="active" label={t('reach.form.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
