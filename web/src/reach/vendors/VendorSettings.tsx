import { Alert, Form, Input, InputNumber, Select, Switch, type FormInstance } from 'antd';
import type { ChannelFormValues } from '../channelForm';
import { parseConfig } from '../channelForm';
import { type MessageKey, useI18n } from '../../i18n';
import { type ConfigField, VENDOR_FIELDS, withField } from './configFields';

/** Structured settings for one vendor kind, kept in step with the JSON settings below (secrets stay write-only). */
function VendorSettings({ form, fields, help }: { form: FormInstance<ChannelFormValues>; fields: ConfigField[]; help: MessageKey }) {
  const { t } = useI18n();
  const text = Form.useWatch('configText', form) ?? '{}';
  const parsed = parseConfig(text);
  const config = 'config' in parsed ? parsed.config : {};
  const set = (key: string, value: unknown) =>
    form.setFieldValue('configText', JSON.stringify(withField(config, key, value), null, 2));
  return (
    <div data-testid="reach-vendor-settings" style={{ marginBottom: 12 }}>
      <Alert type="info" showIcon message={t(help)} style={{ marginBottom: 8 }} />
      {fields.map((f) => {
        const label = t(`reach.vendor.field.${f.key}` as MessageKey) + (f.required ? ' *' : '');
        const value = config[f.key];
        return (
          <Form.Item key={f.key} label={label} style={{ marginBottom: 8 }}>
            {f.kind === 'bool' && <Switch checked={value === true} onChange={(v) => set(f.key, v)} />}
            {f.kind === 'number' && (
              <InputNumber min={0} max={65535} precision={0} value={typeof value === 'number' ? value : null}
                onChange={(v) => set(f.key, v)} />
            )}
            {f.kind === 'select' && (
              <Select style={{ width: 240 }} value={typeof value === 'string' ? value : undefined} allowClear
                options={(f.options ?? []).map((o) => ({ value: o, label: t(`reach.vendor.option.${o}` as MessageKey) }))}
                onChange={(v) => set(f.key, v)} />
            )}
            {(f.kind === 'text' || f.kind === 'url') && (
              <Input value={typeof value === 'string' ? value : ''} maxLength={f.kind === 'url' ? 2000 : 200}
                placeholder={f.kind === 'url' ? 'https://' : undefined} onChange={(e) => set(f.key, e.target.value)} />
            )}
          </Form.Item>
        );
      })}
    </div>
  );
}

type Props = { form: FormInstance<ChannelFormValues> };

/** 阿里云短信 SendSms settings. */
export function AliyunSmsForm({ form }: Props) {
  return <VendorSettings form={form} fields={VENDOR_FIELDS.aliyun_sms} help="reach.vendor.help.aliyun_sms" />;
}

/** 极光推送 JPush settings. */
export function JPushForm({ form }: Props) {
  return <VendorSettings form={form} fields={VENDOR_FIELDS.jpush} help="reach.vendor.help.jpush" />;
}

/** 微信公众号模板消息 settings. */
export function WeChatForm({ form }: Props) {
  return <VendorSettings form={form} fields={VENDOR_FIELDS.wechat_template} help="reach.vendor.help.wechat_template" />;
}

/** SMTP e-mail settings. */
export function SmtpForm({ form }: Props) {
  return <VendorSettings form={form} fields={VENDOR_FIELDS.smtp} help="reach.vendor.help.smtp" />;
}

/** 智能外呼 AI call settings. */
export function AiCallForm({ form }: Props) {
  return <VendorSettings form={form} fields={VENDOR_FIELDS.ai_call} help="reach.vendor.help.ai_call" />;
}

/** 沙箱 vendor sandboxes: only the receipt delay (credentials are generated). */
export function VendorSandboxForm({ form }: Props) {
  return <VendorSettings form={form} fields={VENDOR_FIELDS.vendor_sandbox} help="reach.vendor.help.sandbox" />;
}

/** 资源位 placements: the list is edited as JSON; this explains its fields. */
export function PlacementForm(_props: Props) {
  const { t } = useI18n();
  return <Alert type="info" showIcon message={t('reach.vendor.help.placement')} style={{ marginBottom: 12 }} />;
}
