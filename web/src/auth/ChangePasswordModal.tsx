import { Alert, App, Form, Input, Modal, type ButtonProps } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { errorMessage, serverFieldErrors } from '../api/errors';
import { useI18n } from '../i18n';

type Values = { current_password: string; new_password: string; confirm: string };
const FIELDS = ['current_password', 'new_password'] as const;

/** The signed-in user sets a new password (policy checked by the server); their other logins end. */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async () => {
    let values: Values;
    try {
      values = await form.validateFields();
    } catch {
      return; // antd already shows the field errors
    }
    setSubmitting(true);
    setFormError(null);
    try {
      await api.post('/api/auth/password', {
        current_password: values.current_password,
        new_password: values.new_password,
      });
      message.success(t('auth.passwordChanged'));
      onClose();
    } catch (err) {
      const byField = serverFieldErrors(err);
      // The server names the new password `password` (the policy's field), the form `new_password`.
      if (byField.password) byField.new_password = byField.password;
      const shown = FIELDS.filter((f) => byField[f]);
      if (shown.length) form.setFields(shown.map((f) => ({ name: f, errors: byField[f] })));
      else setFormError(errorMessage(err, t));
    } finally {
      setSubmitting(false);
    }
  };

  const required = (field: string) => ({ required: true, message: t('admin.users.form.required', { field }) });
  return (
    <Modal
      open={open}
      title={t('auth.changePassword')}
      onCancel={onClose}
      onOk={submit}
      okText={t('auth.changePassword')}
      cancelText={t('common.cancel')}
      confirmLoading={submitting}
      destroyOnHidden
      maskClosable={false}
      afterClose={() => setFormError(null)}
      width={480}
      okButtonProps={{ 'data-testid': 'change-password-ok' } as ButtonProps}
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
      <Form<Values> form={form} layout="vertical" requiredMark preserve={false}>
        <Form.Item name="current_password" label={t('auth.currentPassword')} rules={[required(t('auth.currentPassword'))]}>
          <Input.Password autoComplete="current-password" data-testid="change-password-current" />
        </Form.Item>
        <Form.Item
          name="new_password"
          label={t('admin2.users.newPassword')}
          extra={t('auth.passwordRule')}
          rules={[required(t('admin2.users.newPassword')), { min: 10, message: t('auth.passwordMin') }, { max: 256 }]}
        >
          <Input.Password autoComplete="new-password" data-testid="change-password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('admin2.users.confirmPassword')}
          dependencies={['new_password']}
          rules={[
            required(t('admin2.users.confirmPassword')),
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('new_password')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('admin2.users.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="change-password-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
