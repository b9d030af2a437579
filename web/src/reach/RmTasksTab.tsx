import { App, Button, Card, Input, Modal, Radio, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { REACH, type RmTask, type RmTaskPage } from '../api/reach';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime, orDash } from '../common/format';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';

type State = 'open' | 'overdue' | 'done';
const OUTCOMES = ['reached', 'not_reached', 'interested', 'declined'] as const;

/** The RM's task inbox (their own customers); a branch sees its subtree's tasks, overdue ones flagged. */
export function RmTasksTab() {
  const { t, tv } = useI18n();
  const { message } = App.useApp();
  const [state, setState] = useState<State>('open');
  const [recording, setRecording] = useState<RmTask | null>(null);
  const [outcome, setOutcome] = useState<(typeof OUTCOMES)[number]>('reached');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const { data, error, loading, reload } = useApi(
    (signal) => api.get<RmTaskPage>(`${REACH}/rm-tasks?state=${state}&limit=200`, { signal }),
    [state],
  );

  const record = async () => {
    if (!recording) return;
    setBusy(true);
    try {
      await api.post(`${REACH}/rm-tasks/${recording.id}/outcome`, { outcome, note: note.trim() || null });
      message.success(t('reach.tasks.recorded'));
      setRecording(null);
      setNote('');
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  const columns: ColumnsType<RmTask> = [
    {
      title: t('reach.col.due'),
      dataIndex: 'due_at',
      width: 180,
      render: (v: string | null, row) => (
        <Space>
          {v ? formatDateTime(v) : '—'}
          {row.overdue && <Tag color="red">{t('reach.tasks.overdue')}</Tag>}
        </Space>
      ),
    },
    { title: t('reach.col.customer'), dataIndex: 'customer_id', width: 110 },
    { title: t('reach.col.title'), dataIndex: 'title', width: 140, render: (v: string | null) => orDash(v) },
    { title: t('reach.col.script'), dataIndex: 'script', render: (v: string) => <Typography.Paragraph style={{ margin: 0 }}>{v}</Typography.Paragraph> },
    {
      title: t('reach.col.facts'),
      dataIndex: 'facts',
      width: 220,
      render: (facts: RmTask['facts']) =>
        Object.entries(facts).map(([k, v]) => (
          <div key={k}>
            {tv('reach.fact', k)}：{String(v)}
          </div>
        )),
    },
    {
      title: t('reach.col.outcome'),
      key: 'outcome',
      width: 130,
      render: (_, row) =>
        row.outcome ? (
          tv('reach.tasks.outcome', row.outcome)
        ) : (
          <Button size="small" type="primary" onClick={() => setRecording(row)} data-testid={`reach-task-${row.id}`}>
            {t('reach.tasks.record')}
          </Button>
        ),
    },
  ];

  return (
    <Card variant="borderless" className="mf-card">
      <Space style={{ marginBottom: 12 }}>
        <Segmented<State>
          value={state}
          onChange={setState}
          options={(['open', 'overdue', 'done'] as const).map((s) => ({ value: s, label: t(`reach.tasks.state.${s}`) }))}
        />
        {(data?.overdue ?? 0) > 0 && <Tag color="red">{t('reach.tasks.overdueCount', { n: data?.overdue ?? 0 })}</Tag>}
      </Space>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      <Table<RmTask>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        pagination={false}
        locale={{ emptyText: t('reach.empty') }}
        data-testid="reach-tasks"
      />
      <Modal
        open={recording !== null}
        title={t('reach.tasks.record')}
        onCancel={() => setRecording(null)}
        onOk={record}
        confirmLoading={busy}
        okText={t('reach.form.save')}
        cancelText={t('reach.form.cancel')}
      >
        <Radio.Group value={outcome} onChange={(e) => setOutcome(e.target.value)} style={{ marginBottom: 12 }}>
          {OUTCOMES.map((o) => (
            <Radio.Button key={o} value={o}>
              {t(`reach.tasks.outcome.${o}`)}
            </Radio.Button>
          ))}
        </Radio.Group>
        <Input.TextArea value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder={t('reach.tasks.note')} rows={3} />
      </Modal>
    </Card>
  );
}
