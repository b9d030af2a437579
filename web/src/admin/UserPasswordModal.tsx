import { Alert, App, Form, Input, Modal, type ButtonProps } from 'antd';
import { useState } from 'react';
import { adminApi } from '../api/endpoints';
import { serverFieldErrors } from '../api/errors';
import type { AdminUser } from '../api/types';
import { useI18n } from '../i18n';
import { userErrorMessage } from './UserEditModal';

type PasswordValues = { password: string; confirm: string };

/** An admin sets a new password for a user (same rules as at creation); the old one stops working at once. */
export function UserPasswordModal({ user, onClose }: { user: AdminUser | null; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordValues>();
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async () => {
    if (!user) return;
    let values: PasswordValues;
    try {
      values = await form.validateFields();
    } catch {
      return; // antd already shows the field errors
    }
    setSubmitting(true);
    setFormError(null);
    try {
      await adminApi.updateUser(user.id, { password: values.password });
      message.success(t('admin2.users.passwordReset'));
      onClose();
    } catch (err) {
      const onPassword = serverFieldErrors(err).password;
      if (onPassword) form.setFields([{ name: 'password', errors: onPassword }]);
      else setFormError(userErrorMessage(err, t));
    } finally {
      setSubmitting(false);
    }
  };

  const label = t('admin2.users.newPassword');
  return (
    <Modal
      open={user !== null}
      title={user ? t('admin2.users.resetTitle', { name: user.display_name || user.username }) : ''}
      onCancel={onClose}
      onOk={submit}
      okText={t('admin2.users.resetPassword')}
      cancelText={t('common.cancel')}
      confirmLoading={submitting}
      destroyOnHidden
      maskClosable={false}
      afterClose={() => setFormError(null)}
      width={480}
      okButtonProps={{ danger: true, 'data-testid': 'user-password-ok' } as ButtonProps}
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
      <Form<PasswordValues> key={user?.id} form={form} layout="vertical" requiredMark preserve={false}>
        <Form.Item
          name="password"
          label={label}
          extra={t('auth.resetHint')}
          rules={[
            { required: true, message: t('admin.users.form.required', { field: label }) },
            { min: 10, message: t('auth.passwordMin') },
            { max: 256 },
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('admin2.users.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('admin.users.form.required', { field: t('admin2.users.confirmPassword') }) },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('admin2.users.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-password-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
