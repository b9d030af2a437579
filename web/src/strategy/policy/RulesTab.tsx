import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Switch, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { errorMessage, serverFieldErrors } from '../../api/errors';
import { useActorName } from '../../common/actor';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { type MessageKey, useT } from '../../i18n';
import { policyApi, type RuleRead } from './api';
import {
  channelOptions,
  DEFAULT_RULE_FORM,
  describeRule,
  formFieldOf,
  fromRule,
  lineOptions,
  type RuleFormValues,
  ruleProblems,
  toRuleWrite,
} from './ruleForm';

/** The rules table of the contact-policy page and its editor. */
export function RulesTab({ canEdit }: { canEdit: boolean }) {
  const t = useT();
  const actor = useActorName();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi((signal) => policyApi.rules(signal), []);
  const [editing, setEditing] = useState<RuleRead | 'new' | null>(null);

  const remove = async (rule: RuleRead) => {
    try {
      await policyApi.deleteRule(rule.id);
      message.success(t('policy.rules.deleted'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const columns: ColumnsType<RuleRead> = [
    { title: t('policy.col.name'), dataIndex: 'name', width: 160 },
    {
      title: t('policy.col.kind'),
      key: 'kind',
      width: 110,
      render: (_: unknown, r) => <Tag>{t(`policy.kind.${r.rule.kind}` as MessageKey)}</Tag>,
    },
    { title: t('policy.col.content'), key: 'content', render: (_: unknown, r) => describeRule(t, r.rule) },
    {
      title: t('policy.col.enabled'),
      dataIndex: 'enabled',
      width: 80,
      render: (v: boolean) => (v ? <Tag color="green">{t('policy.enabled')}</Tag> : <Tag>{t('policy.disabled')}</Tag>),
    },
    {
      title: t('policy.col.updated'),
      key: 'updated',
      width: 200,
      render: (_: unknown, r) => `${actor(r.updated_by)} · ${formatDateTime(r.updated_at)}`,
    },
    ...(canEdit
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 130,
            render: (_: unknown, r: RuleRead) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setEditing(r)} data-testid={`policy-rule-edit-${r.id}`}>
                  {t('policy.rules.edit')}
                </Button>
                <Popconfirm
                  title={t('policy.rules.confirmDelete', { name: r.name })}
                  okButtonProps={{ danger: true }}
                  okText={t('policy.rules.delete')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => remove(r)}
                >
                  <Button type="link" size="small" danger>
                    {t('policy.rules.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      {canEdit && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
          style={{ marginBottom: 12 }}
          data-testid="policy-rule-add"
        >
          {t('policy.rules.add')}
        </Button>
      )}
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<RuleRead> rowKey="id" size="small" columns={columns} dataSource={data ?? []} loading={loading} pagination={false} />
      {editing && (
        <RuleEditor
          rule={editing === 'new' ? null : editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved) {
              message.success(t('policy.rules.saved'));
              reload();
            }
          }}
        />
      )}
    </>
  );
}

function RuleEditor({ rule, onClose }: { rule: RuleRead | null; onClose: (saved: boolean) => void }) {
  const t = useT();
  const [form] = Form.useForm<RuleFormValues>();
  const kind = Form.useWatch('kind', form) ?? (rule?.rule.kind || 'cap');
  const [saving, setSaving] = useState(false);
  const [general, setGeneral] = useState<string | null>(null);

  const save = async () => {
    const values = { ...DEFAULT_RULE_FORM, ...form.getFieldsValue(true) } as RuleFormValues;
    const problems = ruleProblems(values);
    form.setFields(problems.map((p) => ({ name: p.field, errors: [t(p.message)] })));
    if (problems.length) return;
    setSaving(true);
    setGeneral(null);
    try {
      const body = toRuleWrite(values);
      await (rule ? policyApi.updateRule(rule.id, body) : policyApi.createRule(body));
      onClose(true);
    } catch (err) {
      const unmatched: string[] = [];
      for (const [path, messages] of Object.entries(serverFieldErrors(err))) {
        const field = formFieldOf(path);
        if (field) form.setFields([{ name: field, errors: messages }]);
        else unmatched.push(...messages);
      }
      setGeneral(unmatched.length ? unmatched.join('; ') : Object.keys(serverFieldErrors(err)).length ? null : errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      width={620}
      title={rule ? t('policy.rules.edit') : t('policy.rules.add')}
      onOk={save}
      onCancel={() => onClose(false)}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
    >
      {general && <Alert type="error" showIcon title={general} style={{ marginBottom: 12 }} />}
      <Form form={form} name="policyRule" layout="vertical" initialValues={rule ? fromRule(rule) : DEFAULT_RULE_FORM} data-testid="policy-rule-form">
        <Space size="middle" wrap>
          <Form.Item name="name" label={t('policy.form.name')} style={{ width: 260 }}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="kind" label={t('policy.form.kind')}>
            <Radio.Group
              optionType="button"
              options={(['cap', 'quiet_hours', 'consent'] as const).map((k) => ({
                value: k,
                label: t(`policy.kind.${k}` as MessageKey),
              }))}
            />
          </Form.Item>
          <Form.Item name="enabled" label={t('policy.form.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Form.Item name="channel" label={t('policy.form.channel')} style={{ width: 260 }}>
          <Select options={channelOptions(t, true)} />
        </Form.Item>
        {kind === 'cap' && (
          <>
            <Space size="middle" wrap>
              <Form.Item name="window" label={t('policy.form.window')}>
                <Select
                  style={{ width: 160 }}
                  options={(['day', 'week', 'month'] as const).map((w) => ({ value: w, label: t(`policy.window.${w}` as MessageKey) }))}
                />
              </Form.Item>
              <Form.Item name="limit" label={t('policy.form.limit')}>
                <InputNumber min={0} max={1000} precision={0} />
              </Form.Item>
              <Form.Item name="businessLine" label={t('policy.form.businessLine')}>
                <Select style={{ width: 140 }} options={lineOptions(t, true)} />
              </Form.Item>
              <Form.Item name="purpose" label={t('policy.form.purpose')}>
                <Select
                  style={{ width: 160 }}
                  options={(['marketing', 'all'] as const).map((p) => ({ value: p, label: t(`policy.purpose.${p}` as MessageKey) }))}
                />
              </Form.Item>
            </Space>
            <Space size="middle" wrap>
              <Form.Item name="reserve" label={t('policy.form.reserve')} tooltip={t('policy.form.reserve.help')}>
                <InputNumber min={0} max={1000} precision={0} />
              </Form.Item>
              <Form.Item name="reservePriority" label={t('policy.form.reservePriority')}>
                <InputNumber min={0} max={10000} precision={0} />
              </Form.Item>
              <Form.Item name="capAction" label={t('policy.form.capAction')}>
                <Radio.Group
                  options={(['suppress', 'defer'] as const).map((a) => ({ value: a, label: t(`policy.action.${a}` as MessageKey) }))}
                />
              </Form.Item>
            </Space>
          </>
        )}
        {kind === 'quiet_hours' && (
          <Space size="middle" wrap>
            <Form.Item name="start" label={t('policy.form.start')}>
              <Input style={{ width: 100 }} placeholder="21:00" />
            </Form.Item>
            <Form.Item name="end" label={t('policy.form.end')}>
              <Input style={{ width: 100 }} placeholder="09:00" />
            </Form.Item>
            <Form.Item name="quietAction" label={t('policy.form.quietAction')}>
              <Radio.Group
                options={(['defer', 'drop'] as const).map((a) => ({ value: a, label: t(`policy.action.${a}` as MessageKey) }))}
              />
            </Form.Item>
            <Form.Item name="exemptService" label={t('policy.form.exemptService')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Space>
        )}
        {kind === 'consent' && <Alert type="info" showIcon title={t('policy.form.consentHelp')} />}
      </Form>
    </Modal>
  );
}
