/** What the metric and rule pages share: the create-form modal with server-side field errors, and the list table. */
import { Alert, Button, Form, Modal, Table, type FormInstance, type TableColumnsType } from 'antd';
import { useState, type HTMLAttributes, type ReactNode } from 'react';
import { errorMessage, fieldErrors } from '../../api/errors';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime, orDash } from '../../common/format';
import { useI18n, type TFunction } from '../../i18n';
import { splitServerErrors } from './forms';

/**
 * A create form that saves through `submit`, then empties itself and calls `onSaved`. The server's 422 messages go
 * on the fields `toField` maps them to; what belongs to no field (or any other failure) goes in `formError`.
 */
export function useServerForm<F extends object>(
  toField: (path: string) => string,
  submit: (values: F) => Promise<unknown>,
  onSaved: () => void,
) {
  const { t } = useI18n();
  const [form] = Form.useForm<F>();
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const save = async () => {
    let v: F;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setFormError(null);
    try {
      await submit(v);
      form.resetFields();
      onSaved();
    } catch (err) {
      const { fields, general } = splitServerErrors<string>(fieldErrors(err), toField);
      if (fields.length) form.setFields(fields as Parameters<FormInstance<F>['setFields']>[0]);
      setFormError(general ?? (fields.length ? null : errorMessage(err, t)));
    } finally {
      setSaving(false);
    }
  };
  return { form, saving, formError, clearError: () => setFormError(null), save };
}

/** The modal of a create form: 取消 / 保存 (test id `<testPrefix>-save`) and the general error (`<testPrefix>-form-error`). */
export function FormModal({
  open,
  title,
  onClose,
  state,
  testPrefix,
  children,
}: {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  state: Pick<ReturnType<typeof useServerForm>, 'saving' | 'formError' | 'clearError' | 'save'>;
  testPrefix: string;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={false}
      afterClose={state.clearError}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button key="save" type="primary" loading={state.saving} onClick={state.save} data-testid={`${testPrefix}-save`}>
          {t('mal.save')}
        </Button>,
      ]}
    >
      {state.formError && (
        <Alert type="error" showIcon title={state.formError} style={{ marginBottom: 12 }} data-testid={`${testPrefix}-form-error`} />
      )}
      {children}
    </Modal>
  );
}

/** A list of metrics, rules or alerts: its load error, 50 rows a page, a test id on the table and on every row. */
export function ListTable<T extends { id: number }>({
  list,
  testId,
  rowAttrs,
  scrollX,
  columns,
}: {
  list: { data?: T[]; loading: boolean; error?: unknown; reload: () => void };
  testId: string;
  rowAttrs: (row: T) => Record<string, string>;
  scrollX: number;
  columns: TableColumnsType<T>;
}) {
  const { t } = useI18n();
  return (
    <>
      {list.error !== undefined && <ErrorAlert error={list.error} onRetry={list.reload} />}
      <Table<T>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        data-testid={testId}
        onRow={(row) => rowAttrs(row) as HTMLAttributes<HTMLElement>}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
        scroll={{ x: scrollX }}
        columns={columns}
      />
    </>
  );
}

/** 所属机构 and 创建时间 · 创建人, the last columns of the metric and rule lists. */
export function ownerColumns<T extends { owner_org: string; created_at: string; created_by?: string | null }>(t: TFunction): TableColumnsType<T> {
  return [
    { title: t('mal.owner'), dataIndex: 'owner_org', render: (v: string) => <span className="mf-mono">{v}</span> },
    { title: t('mal.createdAt'), key: 'created', render: (_: unknown, r) => <span className="mf-num">{formatDateTime(r.created_at)} {orDash(r.created_by)}</span> },
  ];
}
