import { App, Alert, Button, Card, Col, Form, Input, InputNumber, List, Modal, Row, Select, Space, Switch, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api/errors';
import { segmentsApi } from '../api/insight';
import { useAuth } from '../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../auth/me';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { campaignsApi, type CalendarEntry, type CampaignRead, type Param, type PreviewRead, type TemplateRead } from './api';
import { ApprovalsInbox } from './ApprovalsInbox';
import { ck, initialValues, JSON_TYPES, toParams } from './params';

export const STATUS_COLORS: Record<string, string> = {
  draft: 'default', submitted: 'blue', approved: 'cyan', rejected: 'red', scheduled: 'purple', running: 'green',
  paused: 'orange', ended: 'default', archived: 'default',
};

function ParamField({ p }: { p: Param }) {
  const { t } = useI18n();
  const rules = p.required && p.default === null ? [{ required: true, message: t('camp.wizard.required') }] : [];
  let input;
  if (p.type === 'bool') input = <Switch />;
  else if (p.type === 'enum') input = <Select options={(p.choices ?? []).map((c) => ({ value: c, label: c }))} />;
  else if (['int', 'number', 'benefit', 'content'].includes(p.type))
    input = <InputNumber min={p.minimum ?? undefined} max={p.maximum ?? undefined} style={{ width: '100%' }} />;
  else if (JSON_TYPES.has(p.type)) input = <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} />;
  else input = <Input />;
  return (
    <Form.Item name={['params', p.key]} label={p.label} tooltip={p.description || undefined} rules={rules}
      valuePropName={p.type === 'bool' ? 'checked' : 'value'}>
      {input}
    </Form.Item>
  );
}

function Wizard({ template, onClose }: { template: TemplateRead; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [preview, setPreview] = useState<PreviewRead | null>(null);
  const [busy, setBusy] = useState(false);
  const segments = useApi((signal) => segmentsApi.list(signal), []);

  const collect = async () => {
    const values = await form.validateFields();
    const { params, bad } = toParams(template.params, values.params ?? {});
    if (bad.length) throw new Error(t('camp.wizard.badJson', { fields: bad.join(', ') }));
    return { values, params };
  };

  const doPreview = async () => {
    try {
      const { values, params } = await collect();
      setPreview(await campaignsApi.preview(template.id, params, values.segment_id));
    } catch (err) {
      if (err instanceof Error && !('status' in err)) message.error(err.message);
      else message.error(errorMessage(err, t));
    }
  };

  const save = async () => {
    setBusy(true);
    try {
      const { values, params } = await collect();
      const made = await campaignsApi.create({
        name: values.name, description: values.description ?? '', template_id: template.id, params,
        segment_id: values.segment_id ?? null, budget: values.budget ?? null, stock: values.stock ?? null,
        starts_at: new Date(values.starts_at).toISOString(), ends_at: new Date(values.ends_at).toISOString(),
      });
      message.success(t('camp.wizard.saved'));
      navigate(`/campaigns/${made.id}`);
    } catch (err) {
      if (err instanceof Error && !('status' in err)) message.error(err.message);
      else message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open width={760} title={t('camp.wizard.title', { name: template.name })} onCancel={onClose}
      footer={[
        <Button key="preview" onClick={doPreview} data-testid="campaign-preview">{t('camp.wizard.preview')}</Button>,
        <Button key="save" type="primary" loading={busy} onClick={save} data-testid="campaign-save">{t('camp.wizard.save')}</Button>,
      ]}>
      <Alert type="info" showIcon message={template.description} style={{ marginBottom: 12 }} />
      <Form form={form} layout="vertical" initialValues={{ name: template.name, params: initialValues(template.params) }}>
        <Row gutter={12}>
          <Col span={12}><Form.Item name="name" label={t('camp.field.name')} rules={[{ required: true }]}><Input maxLength={128} /></Form.Item></Col>
          <Col span={12}>
            <Form.Item name="segment_id" label={t('camp.field.segment')} tooltip={t('camp.field.segment.help')}>
              <Select allowClear loading={segments.loading}
                options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          </Col>
          <Col span={12}><Form.Item name="starts_at" label={t('camp.field.starts')} rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item></Col>
          <Col span={12}><Form.Item name="ends_at" label={t('camp.field.ends')} rules={[{ required: true }]}><Input type="datetime-local" /></Form.Item></Col>
          <Col span={12}><Form.Item name="budget" label={t('camp.field.budget')}><InputNumber min={0} style={{ width: '100%' }} /></Form.Item></Col>
          <Col span={12}><Form.Item name="stock" label={t('camp.field.stock')}><InputNumber min={0} style={{ width: '100%' }} /></Form.Item></Col>
        </Row>
        <Form.Item name="description" label={t('camp.field.description')}><Input.TextArea maxLength={2000} autoSize /></Form.Item>
        <Card size="small" title={t('camp.wizard.params')}>
          <Row gutter={12}>
            {template.params.map((p) => (
              <Col span={12} key={p.key}><ParamField p={p} /></Col>
            ))}
          </Row>
        </Card>
      </Form>
      {preview && (
        <Card size="small" title={t('camp.wizard.compiled')} style={{ marginTop: 12 }} data-testid="campaign-preview-result">
          {preview.strategies.map((s) => (
            <div key={s.key}>
              <b>{s.name}</b>
              <List size="small" dataSource={s.nodes} renderItem={(n) => (
                <List.Item>
                  <Tag>{ck(t, `camp.node.${n.type}`)}</Tag> {n.title ?? n.id}
                  {n.next.length > 0 && <span className="mf-muted"> → {n.next.join(', ')}</span>}
                </List.Item>
              )} />
            </div>
          ))}
          {preview.funnel && <div>{t('camp.wizard.funnel')}: {preview.funnel.steps.join(' → ')}</div>}
        </Card>
      )}
    </Modal>
  );
}

function Gallery() {
  const { t } = useI18n();
  const { can } = useAuth();
  const [open, setOpen] = useState<TemplateRead | null>(null);
  const { data, error, loading, reload } = useApi((signal) => campaignsApi.templates(signal), []);
  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  return (
    <>
      <Row gutter={[16, 16]}>
        {(data ?? []).map((tpl) => (
          <Col xs={24} md={12} xl={8} key={tpl.id}>
            <Card loading={loading} title={tpl.name} extra={<Tag>{tpl.category}</Tag>} data-testid={`template-${tpl.id}`}
              actions={can(PERM_CAMPAIGN_EDIT) ? [<a key="use" onClick={() => setOpen(tpl)}>{t('camp.gallery.use')}</a>] : []}>
              <p>{tpl.description}</p>
              <span className="mf-muted">{t('camp.gallery.params', { n: tpl.params.length })}</span>
            </Card>
          </Col>
        ))}
      </Row>
      {open && <Wizard template={open} onClose={() => setOpen(null)} />}
    </>
  );
}

function CampaignList() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useApi((signal) => campaignsApi.list(signal), []);
  const columns: ColumnsType<CampaignRead> = [
    { title: t('camp.field.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/campaigns/${r.id}`}>{v}</Link> },
    { title: t('camp.field.template'), dataIndex: 'template_name' },
    { title: t('camp.field.status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLORS[s]}>{ck(t, `camp.status.${s}`)}</Tag> },
    { title: t('camp.field.org'), dataIndex: 'owner_org' },
    { title: t('camp.field.starts'), dataIndex: 'starts_at', render: (v: string) => formatDateTime(v) },
    { title: t('camp.field.ends'), dataIndex: 'ends_at', render: (v: string) => formatDateTime(v) },
  ];
  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  return <Table rowKey="id" size="small" loading={loading} columns={columns} dataSource={data ?? []} />;
}

function CalendarView() {
  const { t } = useI18n();
  const { data, error, loading, reload } = useApi((signal) => campaignsApi.calendar(signal), []);
  const names = new Map((data ?? []).map((e) => [e.id, e.name]));
  const columns: ColumnsType<CalendarEntry> = [
    { title: t('camp.field.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/campaigns/${r.id}`}>{v}</Link> },
    { title: t('camp.field.status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLORS[s]}>{ck(t, `camp.status.${s}`)}</Tag> },
    { title: t('camp.field.period'), render: (_: unknown, r) => `${formatDateTime(r.starts_at)} ~ ${formatDateTime(r.ends_at)}` },
    { title: t('camp.field.org'), dataIndex: 'owner_org' },
    {
      title: t('camp.calendar.conflicts'), dataIndex: 'conflicts',
      render: (ids: number[]) => ids.length === 0 ? <Tag color="green">{t('camp.calendar.none')}</Tag>
        : <Space wrap>{ids.map((id) => <Tag color="orange" key={id}>{names.get(id) ?? `#${id}`}</Tag>)}</Space>,
    },
  ];
  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  return <Table rowKey="id" size="small" loading={loading} columns={columns} dataSource={data ?? []} />;
}

export default function CampaignsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'gallery';
  return (
    <>
      <PageHeader title={t('camp.title')} subtitle={t('camp.subtitle')} />
      <Tabs activeKey={tab} onChange={(k) => setParams({ tab: k })} destroyInactiveTabPane items={[
        { key: 'gallery', label: t('camp.tab.gallery'), children: <Gallery /> },
        { key: 'list', label: t('camp.tab.list'), children: <CampaignList /> },
        { key: 'calendar', label: t('camp.tab.calendar'), children: <CalendarView /> },
        { key: 'approvals', label: t('camp.tab.approvals'), children: <ApprovalsInbox /> },
      ]} />
    </>
  );
}
