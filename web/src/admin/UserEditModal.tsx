import { Alert, App, Form, Input, Modal, type ButtonProps } from 'antd';
import { useState } from 'react';
import { adminApi } from '../api/endpoints';
import { errorMessage, isApiError, serverFieldErrors } from '../api/errors';
import type { AdminUser, Role, UserUpdate } from '../api/types';
import { useI18n } from '../i18n';
import { OrgTreeSelect } from './OrgTreeSelect';
import { RoleSelect } from './RoleSelect';

type EditValues = { display_name: string; role: string; org_code: string };
const FIELDS = ['display_name', 'role', 'org_code', 'active'] as const;

/** The fields that differ from the user as loaded: only those are sent (and audited). */
export function changedFields(user: AdminUser, values: EditValues): UserUpdate {
  const out: UserUpdate = {};
  const name = values.display_name.trim();
  if (name && name !== user.display_name) out.display_name = name;
  if (values.role !== user.role) out.role = values.role;
  if (values.org_code !== user.org_code) out.org_code = values.org_code;
  return out;
}

/** The message for a failed user change: the last-admin rule in the user's language, else the server's. */
export function userErrorMessage(err: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (isApiError(err) && err.status === 409 && (err.field === 'role' || err.field === 'active')) {
    return t('admin2.users.lastAdmin');
  }
  return errorMessage(err, t);
}

/** Edit a user's display name, role and org (the org decides which customers they see). */
export function UserEditModal({
  user,
  roles,
  onClose,
  onSaved,
}: {
  user: AdminUser | null;
  roles: Role[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async () => {
    if (!user) return;
    let values: EditValues;
    try {
      values = await form.validateFields();
    } catch {
      return; // antd already shows the field errors
    }
    const body = changedFields(user, values);
    if (Object.keys(body).length === 0) {
      message.info(t('admin2.users.noChange'));
      onClose();
      return;
    }
    setSubmitting(true);
    setFormError(null);
    try {
      await adminApi.updateUser(user.id, body);
      message.success(t('admin2.users.saved'));
      onSaved();
    } catch (err) {
      const byField = serverFieldErrors(err);
      const onForm = Object.entries(byField).filter(([f]) => f !== 'active' && (FIELDS as readonly string[]).includes(f));
      if (isApiError(err) && err.status === 409) setFormError(userErrorMessage(err, t));
      else if (onForm.length) form.setFields(onForm.map(([name, errors]) => ({ name: name as keyof EditValues, errors })));
      else setFormError(userErrorMessage(err, t));
    } finally {
      setSubmitting(false);
    }
  };

  const required = (field: string) => ({ required: true, message: t('admin.users.form.required', { field }) });
  return (
    <Modal
      open={user !== null}
      title={user ? t('admin2.users.editTitle', { name: user.username }) : ''}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      confirmLoading={submitting}
      destroyOnHidden
      maskClosable={false}
      afterClose={() => setFormError(null)}
      width={520}
      okButtonProps={{ 'data-testid': 'user-edit-ok' } as ButtonProps}
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="user-edit-error" />}
      <Form<EditValues>
        key={user?.id}
        form={form}
        layout="vertical"
        requiredMark
        initialValues={user ? { display_name: user.display_name, role: user.role, org_code: user.org_code } : undefined}
      >
        <Form.Item name="display_name" label={t('admin.users.form.displayName')} rules={[{ max: 128 }]}>
          <Input autoComplete="off" data-testid="user-edit-display-name" />
        </Form.Item>
        <Form.Item name="role" label={t('admin.users.form.role')} rules={[required(t('admin.users.form.role'))]}>
          <RoleSelect roles={roles} testId="user-edit-role" />
        </Form.Item>
        <Form.Item
          name="org_code"
          label={t('admin.users.form.org')}
          extra={t('admin2.users.orgHint')}
          rules={[required(t('admin.users.form.org'))]}
        >
          <OrgTreeSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}
