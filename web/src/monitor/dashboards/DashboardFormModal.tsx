import { Alert, App, Form, Input, Modal, Switch, type ButtonProps } from 'antd';
import { useState } from 'react';
import { dashboardsApi, type Dashboard, type DashboardWrite } from '../../api/dashboards';
import { errorMessage, fieldErrors } from '../../api/errors';
import { useI18n } from '../../i18n';

/** Creates a dashboard, or edits the name, description and sharing of `dashboard`. */
export function DashboardFormModal({
  dashboard,
  onClose,
  onSaved,
}: {
  dashboard?: Dashboard;
  onClose: () => void;
  onSaved: (d: Dashboard) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<DashboardWrite>();
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const save = async () => {
    let v: DashboardWrite;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setFormError(null);
    const body = { name: v.name.trim(), description: v.description?.trim() || null, shared: !!v.shared };
    try {
      const saved = dashboard ? await dashboardsApi.update(dashboard.id, body) : await dashboardsApi.create(body);
      message.success(t(dashboard ? 'dash.updated' : 'dash.created'));
      onSaved(saved);
    } catch (err) {
      const fields = fieldErrors(err);
      const named = (['name', 'description', 'shared'] as const).filter((f) => fields[f]);
      if (named.length) form.setFields(named.map((f) => ({ name: f, errors: fields[f] })));
      else setFormError(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };

  const required = { required: true, whitespace: true, message: t('dash.required') };
  return (
    <Modal
      open
      title={t(dashboard ? 'dash.edit' : 'dash.create')}
      onCancel={onClose}
      onOk={save}
      okText={t('dash.save.ok')}
      okButtonProps={{ loading: saving, 'data-testid': 'dash-ok' } as ButtonProps}
      maskClosable={false}
      destroyOnHidden
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="dash-form-error" />}
      <Form<DashboardWrite>
        form={form}
        layout="vertical"
        initialValues={{ name: dashboard?.name ?? '', description: dashboard?.description ?? '', shared: dashboard?.shared ?? false }}
      >
        <Form.Item name="name" label={t('dash.name')} rules={[required, { max: 100, message: t('dash.tooLong', { n: 100 }) }]}>
          <Input autoComplete="off" maxLength={100} data-testid="dash-name" />
        </Form.Item>
        <Form.Item name="description" label={t('dash.description')}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={500} data-testid="dash-description" />
        </Form.Item>
        <Form.Item name="shared" label={t('dash.shared')} valuePropName="checked" extra={t('dash.sharedHint')}>
          <Switch data-testid="dash-shared" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
