import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Drawer, Form, Input, Radio, Row, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState, type SyntheticEvent } from 'react';
import { errorMessage } from '../../api/errors';
import { formatDateTime } from '../../common/format';
import { useI18n, type MessageKey } from '../../i18n';
import {
  CHANNELS,
  contentApi,
  type Channel,
  type ContentCatalogue,
  type PreviewRead,
  type Purpose,
  type TemplateContent,
  type TemplateRead,
  type TemplateVersion,
  type ValidationReport,
  type VariableInfo,
} from './api';
import { fieldLabel, issueText, saveError } from './labels';
import { templateSmsCount } from './smsCount';
import { insertAt } from './variablePicker';
import { VariablePicker } from './VariablePicker';

interface FormValues {
  name: string;
  channel: Channel;
  purpose: Purpose;
  title?: string;
  body?: string;
  subject?: string;
  html?: string;
  wechat_template_id?: string;
  fields?: { name?: string; value?: string }[];
  call_script_id?: string;
  call_variables?: string[];
  links?: Record<string, string | undefined>;
  scenes?: string[];
  products?: string[];
  personas?: string[];
}

/** The text fields a variable can be inserted into. */
type Path = ['body'] | ['title'] | ['subject'] | ['html'] | ['fields', number, 'value'];
const TITLED: Channel[] = ['push', 'inbox', 'placement', 'rm_task'];

function toContent(v: Partial<FormValues>): TemplateContent {
  const links = Object.fromEntries(Object.entries(v.links ?? {}).filter((e): e is [string, string] => !!e[1]?.trim()));
  const channel = v.channel;
  return {
    title: channel && TITLED.includes(channel) ? v.title ?? null : null,
    body: v.body ?? '',
    subject: channel === 'email' ? v.subject ?? null : null,
    html: channel === 'email' && v.html?.trim() ? v.html : null,
    wechat_template_id: channel === 'wechat' ? v.wechat_template_id ?? null : null,
    fields:
      channel === 'wechat'
        ? Object.fromEntries((v.fields ?? []).filter((f) => f?.name?.trim()).map((f) => [f.name!.trim(), f.value ?? '']))
        : {},
    call_script_id: channel === 'call' ? v.call_script_id ?? null : null,
    call_variables: channel === 'call' ? v.call_variables ?? [] : [],
    links,
  };
}

function toValues(t: TemplateRead): FormValues {
  const c = t.content;
  return {
    name: t.name, channel: t.channel, purpose: t.purpose, title: c.title ?? undefined, body: c.body,
    subject: c.subject ?? undefined, html: c.html ?? undefined, wechat_template_id: c.wechat_template_id ?? undefined,
    fields: Object.entries(c.fields).map(([name, value]) => ({ name, value })), call_script_id: c.call_script_id ?? undefined,
    call_variables: c.call_variables, links: c.links, scenes: t.scenes, products: t.products, personas: t.personas,
  };
}

/** Create or edit one template: channel fields, variable picker, live SMS counter, checks and a preview. */
export function TemplateEditor({
  open,
  template,
  catalogue,
  readOnly,
  onClose,
  onSaved,
}: {
  open: boolean;
  template?: TemplateRead;
  catalogue?: ContentCatalogue;
  readOnly: boolean;
  onClose: () => void;
  onSaved: (t: TemplateRead) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const values = Form.useWatch([], form) as Partial<FormValues> | undefined;
  const channel = (values?.channel ?? template?.channel ?? 'sms') as Channel;
  const variables: VariableInfo[] = useMemo(() => catalogue?.variables ?? [], [catalogue]);
  const [target, setTarget] = useState<{ path: Path; start: number; end: number }>({ path: ['body'], start: -1, end: -1 });
  const [report, setReport] = useState<ValidationReport>();
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<PreviewRead>();
  const [customer, setCustomer] = useState('');
  const [versions, setVersions] = useState<TemplateVersion[]>([]);
  const [version, setVersion] = useState<number>();
  const element = useRef<HTMLTextAreaElement | HTMLInputElement | null>(null);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(template ? toValues(template) : { channel: 'sms', purpose: 'marketing', body: '', fields: [] });
    setPreview(undefined);
    setReport(undefined);
    setVersion(undefined);
    setTarget({ path: ['body'], start: -1, end: -1 });
    element.current = null;
    if (template) contentApi.versions(template.id).then(setVersions, () => setVersions([]));
    else setVersions([]);
  }, [open, template, form]);

  // Live checks while typing (debounced): every problem at once, as the server will judge the save.
  const content = useMemo(() => (values ? toContent(values) : undefined), [values]);
  const purpose = values?.purpose ?? 'marketing';
  useEffect(() => {
    if (!open || !content || readOnly) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      contentApi.validate({ channel, purpose, content }, controller.signal).then(setReport, () => undefined);
    }, 400);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [open, channel, purpose, content, readOnly]);

  const sms = channel === 'sms' ? templateSmsCount(values?.body ?? '', variables) : undefined;

  // The field last edited and its element: the caret is read from the element when a variable is picked (typing
  // through an input method or a paste fires no key events, so a caret remembered from them would be stale).
  const track = (path: Path) => ({
    onFocus: (e: SyntheticEvent<HTMLTextAreaElement | HTMLInputElement>) => remember(path, e),
    onSelect: (e: SyntheticEvent<HTMLTextAreaElement | HTMLInputElement>) => remember(path, e),
  });
  const remember = (path: Path, e: SyntheticEvent<HTMLTextAreaElement | HTMLInputElement>) => {
    const el = e.currentTarget;
    element.current = el;
    setTarget({ path, start: el.selectionStart ?? -1, end: el.selectionEnd ?? -1 });
  };

  const pick = (v: VariableInfo) => {
    const current = String(form.getFieldValue(target.path) ?? '');
    const el = element.current?.isConnected ? element.current : null;
    const start = el?.selectionStart ?? (target.start < 0 ? current.length : target.start);
    const end = el?.selectionEnd ?? (target.end < 0 ? current.length : target.end);
    const out = insertAt(current, start, end, v);
    form.setFieldValue(target.path, out.text);
    setTarget({ ...target, start: out.caret, end: out.caret });
    window.setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(out.caret, out.caret);
    }, 0);
  };

  const targetLabel = (() => {
    const [head, index] = target.path;
    if (head === 'fields') return fieldLabel(t, `fields.${values?.fields?.[Number(index)]?.name ?? ''}`, channel);
    return fieldLabel(t, String(head), channel);
  })();

  const save = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const body = { name: v.name.trim(), purpose: v.purpose, content: toContent(v), scenes: v.scenes ?? [],
                     products: v.products ?? [], personas: v.personas ?? [] };
      const saved = template ? await contentApi.update(template.id, body) : await contentApi.create({ ...body, channel: v.channel });
      message.success(template ? t('content.saved', { version: saved.version }) : t('content.created'));
      onSaved(saved);
    } catch (err) {
      message.error(saveError(t, err, channel, (e) => errorMessage(e, t)));
    } finally {
      setBusy(false);
    }
  };

  const runPreview = async () => {
    if (!template) return;
    try {
      setPreview(await contentApi.preview(template.id, { customer_id: customer.trim() || undefined, version }));
    } catch (err) {
      message.error(saveError(t, err, channel, (e) => errorMessage(e, t)));
    }
  };

  const area = (path: Path, rows: number, testid: string) => (
    <Input.TextArea
      rows={rows}
      disabled={readOnly}
      data-testid={testid}
      {...track(path)}
    />
  );
  const bodyLabel = fieldLabel(t, 'body', channel);
  const required = (label: string) => [{ required: true, whitespace: true, message: t('content.required', { field: label }) }];

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={1100}
      title={template ? t(readOnly ? 'content.editor.view' : 'content.editor.edit', { name: template.name }) : t('content.editor.new')}
      extra={
        !readOnly && (
          <Button type="primary" loading={busy} onClick={save} data-testid="content-save">
            {t('content.save')}
          </Button>
        )
      }
      destroyOnHidden
    >
      <Row gutter={16}>
        <Col span={15}>
          <Form form={form} layout="vertical" disabled={readOnly}>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="name" label={t('content.field.name')} rules={required(t('content.field.name'))}>
                  <Input maxLength={128} data-testid="content-name" />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="channel" label={t('content.field.channel')}>
                  <Select
                    disabled={!!template || readOnly}
                    data-testid="content-channel"
                    options={CHANNELS.map((c) => ({ value: c, label: t(`content.channel.${c}` as MessageKey) }))}
                  />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="purpose" label={t('content.field.purpose')}>
                  <Radio.Group
                    options={(['marketing', 'service'] as const).map((p) => ({ value: p, label: t(`content.purpose.${p}`) }))}
                  />
                </Form.Item>
              </Col>
            </Row>
            {channel === 'email' && (
              <Form.Item name="subject" label={t('content.field.subject')}>
                <Input {...track(['subject'])} data-testid="content-subject" />
              </Form.Item>
            )}
            {TITLED.includes(channel) && (
              <Form.Item name="title" label={t('content.field.title')}>
                <Input {...track(['title'])} data-testid="content-title" />
              </Form.Item>
            )}
            {channel === 'wechat' ? (
              <>
                <Form.Item name="wechat_template_id" label={t('content.field.wechatId')}>
                  <Input data-testid="content-wechat-id" />
                </Form.Item>
                <Typography.Text strong>{t('content.field.wechatFields')}</Typography.Text>
                <Form.List name="fields">
                  {(items, { add, remove }) => (
                    <>
                      {items.map((item) => (
                        <Space key={item.key} align="baseline" style={{ display: 'flex' }}>
                          <Form.Item name={[item.name, 'name']} style={{ width: 200 }}>
                            <Input placeholder={t('content.field.fieldName')} />
                          </Form.Item>
                          <Form.Item name={[item.name, 'value']} style={{ width: 360 }}>
                            <Input placeholder={t('content.field.fieldValue')} {...track(['fields', item.name, 'value'])} />
                          </Form.Item>
                          {!readOnly && <MinusCircleOutlined onClick={() => remove(item.name)} />}
                        </Space>
                      ))}
                      {!readOnly && (
                        <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', value: '' })}>
                          {t('content.field.addField')}
                        </Button>
                      )}
                    </>
                  )}
                </Form.List>
              </>
            ) : (
              <Form.Item
                name="body"
                label={bodyLabel}
                extra={
                  sms && (
                    <span data-testid="content-sms-counter">
                      {t('content.sms.counter', { chars: sms.characters, parts: sms.parts, encoding: sms.encoding })}
                      <Typography.Text type="secondary"> · {t('content.sms.counterHint')}</Typography.Text>
                    </span>
                  )
                }
              >
                {area(['body'], channel === 'sms' ? 4 : 6, 'content-body')}
              </Form.Item>
            )}
            {channel === 'email' && (
              <Form.Item name="html" label={t('content.field.html')}>
                {area(['html'], 6, 'content-html')}
              </Form.Item>
            )}
            {channel === 'call' && (
              <Row gutter={12}>
                <Col span={10}>
                  <Form.Item name="call_script_id" label={t('content.field.callScript')}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col span={14}>
                  <Form.Item name="call_variables" label={t('content.field.callVariables')}>
                    <Select mode="multiple" options={variables.map((v) => ({ value: v.name, label: v.name }))} />
                  </Form.Item>
                </Col>
              </Row>
            )}
            <Typography.Text strong>{t('content.field.links')}</Typography.Text>
            <Row gutter={12}>
              {variables
                .filter((v) => v.source === 'link')
                .map((v) => (
                  <Col span={12} key={v.key}>
                    <Form.Item name={['links', v.key]} label={v.name}>
                      <Input placeholder="https://" data-testid={`content-link-${v.key}`} />
                    </Form.Item>
                  </Col>
                ))}
            </Row>
            <Row gutter={12}>
              <Col span={8}>
                <Form.Item name="scenes" label={t('content.field.scenes')}>
                  <Select mode="tags" options={(catalogue?.scenes ?? []).map((s) => ({ value: s, label: s }))} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="products" label={t('content.field.products')}>
                  <Select mode="tags" options={[]} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="personas" label={t('content.field.personas')}>
                  <Select mode="multiple" options={(catalogue?.personas ?? []).map((p) => ({ value: p, label: p }))} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
          {!readOnly && report && (
            <div data-testid="content-checks">
              {report.ok ? (
                <Alert type="success" showIcon title={t('content.check.ok')} />
              ) : (
                <Alert
                  type="warning"
                  showIcon
                  title={t('content.check.title')}
                  description={
                    <ul style={{ margin: 0, paddingLeft: 18 }}>
                      {report.issues.map((i) => (
                        <li key={`${i.field}-${i.code}`}>{issueText(t, i.code, i.params, channel)}</li>
                      ))}
                    </ul>
                  }
                />
              )}
            </div>
          )}
        </Col>
        <Col span={9}>
          {!readOnly && (
            <Card size="small" title={t('content.picker.title')} style={{ marginBottom: 12 }}>
              <VariablePicker variables={variables} target={targetLabel} onPick={pick} />
            </Card>
          )}
          <Card size="small" title={t('content.preview.title')} data-testid="content-preview">
            {!template ? (
              <Typography.Text type="secondary">{t('content.preview.saveFirst')}</Typography.Text>
            ) : (
              <Space orientation="vertical" style={{ width: '100%' }}>
                <Input
                  placeholder={t('content.preview.customer')}
                  value={customer}
                  onChange={(e) => setCustomer(e.target.value)}
                  data-testid="content-preview-customer"
                />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('content.preview.sample')}</Typography.Text>
                <Space>
                  <Select
                    style={{ width: 140 }}
                    placeholder={t('content.preview.version')}
                    value={version}
                    allowClear
                    onChange={setVersion}
                    options={versions.map((v) => ({ value: v.version, label: `${t('content.preview.version')} ${v.version}` }))}
                  />
                  <Button onClick={runPreview} data-testid="content-preview-run">{t('content.preview.run')}</Button>
                </Space>
                {preview && <PreviewView preview={preview} />}
              </Space>
            )}
          </Card>
          {versions.length > 0 && (
            <Card size="small" title={t('content.versions')} style={{ marginTop: 12 }} data-testid="content-versions">
              {versions.map((v) => (
                <div key={v.version}>
                  <span className="mf-num">v{v.version}</span>{' '}
                  <Typography.Text type="secondary">
                    <span className="mf-mono">{v.created_by ?? '—'}</span> {formatDateTime(v.created_at)}
                  </Typography.Text>
                </div>
              ))}
            </Card>
          )}
        </Col>
      </Row>
    </Drawer>
  );
}

function PreviewView({ preview }: { preview: PreviewRead }) {
  const { t } = useI18n();
  return (
    <div data-testid="content-preview-result">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('content.preview.masked')} · {t('content.preview.version')} {preview.version}
      </Typography.Text>
      {preview.title && <Typography.Title level={5} style={{ marginTop: 8 }}>{preview.title}</Typography.Title>}
      {preview.body && <div style={{ whiteSpace: 'pre-wrap', marginTop: 8 }}>{preview.body}</div>}
      {preview.html && (
        // No permissions at all: authored HTML and values are shown, never run.
        <iframe title="html" sandbox="" srcDoc={preview.html} style={{ width: '100%', height: 240, border: '1px solid #eee', marginTop: 8 }} />
      )}
      {Object.keys(preview.data).length > 0 && (
        <ul style={{ marginTop: 8, paddingLeft: 18 }}>
          {Object.entries(preview.data).map(([k, v]) => (
            <li key={k}>
              <span className="mf-mono">{k}</span> {v}
            </li>
          ))}
        </ul>
      )}
      {preview.url && <div style={{ marginTop: 8, wordBreak: 'break-all' }}>{t('content.preview.link', { url: preview.url })}</div>}
      {preview.sms && (
        <div style={{ marginTop: 8 }}>
          {t('content.sms.counter', { chars: preview.sms.characters, parts: preview.sms.parts, encoding: preview.sms.encoding })}
        </div>
      )}
    </div>
  );
}
