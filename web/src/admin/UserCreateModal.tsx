import { Alert, App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { adminApi } from '../api/endpoints';
import { errorMessage, fieldErrors } from '../api/errors';
import type { Role, UserCreate } from '../api/types';
import { useI18n } from '../i18n';
import { applyFieldErrors } from './formErrors';
import { OrgTreeSelect } from './OrgTreeSelect';
import { RoleSelect } from './RoleSelect';

const FIELDS = ['username', 'password', 'display_name', 'role', 'org_code'] as const;

export function UserCreateModal({
  open,
  roles,
  onClose,
  onCreated,
}: {
  open: boolean;
  roles: Role[];
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserCreate>();
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const required = (field: string) => ({ required: true, whitespace: true, message: t('admin.users.form.required', { field }) });

  const submit = async () => {
    let values: UserCreate;
    try {
      values = await form.validateFields();
    } catch {
      return; // antd already shows the field errors
    }
    setSubmitting(true);
    setFormError(null);
    try {
      await adminApi.createUser({
        ...values,
        username: values.username.trim(),
        display_name: values.display_name?.trim() || undefined,
      });
      message.success(t('admin.users.created'));
      form.resetFields();
      onCreated();
    } catch (err) {
      const unmatched = applyFieldErrors(form, err, FIELDS);
      const hasFieldErrors = Object.keys(fieldErrors(err)).length > 0;
      if (!hasFieldErrors) setFormError(errorMessage(err, t));
      else if (unmatched.length) setFormError(unmatched.join('; '));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('admin.users.create')}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      confirmLoading={submitting}
      destroyOnHidden
      maskClosable={false}
      afterClose={() => setFormError(null)}
      width={520}
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="user-form-error" />}
      <Form<UserCreate> form={form} layout="vertical" requiredMark preserve={false}>
        <Form.Item
          name="username"
          label={t('admin.users.form.username')}
          extra={t('admin.users.form.usernameHint')}
          rules={[required(t('admin.users.form.username'))]}
        >
          <Input autoComplete="off" data-testid="user-form-username" />
        </Form.Item>
        <Form.Item name="display_name" label={t('admin.users.form.displayName')}>
          <Input autoComplete="off" data-testid="user-form-display-name" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('admin.users.form.password')}
          extra={t('auth.passwordRule')}
          rules={[
            { required: true, message: t('admin.users.form.required', { field: t('admin.users.form.password') }) },
            { min: 10, message: t('auth.passwordMin') },
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-form-password" />
        </Form.Item>
        <Form.Item name="role" label={t('admin.users.form.role')} rules={[required(t('admin.users.form.role'))]}>
          <RoleSelect roles={roles} testId="user-form-role" />
        </Form.Item>
        <Form.Item name="org_code" label={t('admin.users.form.org')} rules={[required(t('admin.users.form.org'))]}>
          <OrgTreeSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}
