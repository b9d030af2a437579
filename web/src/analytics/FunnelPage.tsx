import { CloseOutlined, PlusOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { App, Button, type ButtonProps, Form, Input, InputNumber, Modal, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState, type HTMLAttributes } from 'react';
import { Link } from 'react-router';
import { analyticsApi, type FunnelMode, type FunnelQuery, type FunnelStep, type WindowUnit } from '../api/analytics';
import { errorMessage } from '../api/errors';
import { useAuth } from '../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../auth/me';
import { EChart, type ChartOption } from '../common/charts/EChart';
import { useI18n } from '../i18n';
import {
  AttributePicker,
  csvName,
  EventPicker,
  Field,
  formatSeconds,
  lastDays,
  num,
  pct,
  QueryCard,
  RangeField,
  ResultCard,
  RunButton,
  useCatalogue,
  useEventName,
  useRun,
  type DateRange,
} from './common';

export default function FunnelPage() {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const catalogue = useCatalogue();
  const name = useEventName(catalogue.data);
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const [steps, setSteps] = useState<string[]>(['', '']);
  const [windowN, setWindowN] = useState(7);
  const [unit, setUnit] = useState<WindowUnit>('day');
  const [mode, setMode] = useState<FunnelMode>('ordered');
  const [groupBy, setGroupBy] = useState<string>();
  const result = useRun(analyticsApi.funnel);
  const [dropStep, setDropStep] = useState<number>();

  const ready = steps.length >= 2 && steps.every(Boolean);
  const query = (): FunnelQuery => ({
    date_from: range[0],
    date_to: range[1],
    steps: steps.map((event) => ({ event })),
    window: windowN,
    window_unit: unit,
    mode,
    group_by: groupBy ? { kind: 'attribute', name: groupBy } : null,
  });

  const data = result.data;
  const overall = data?.overall.steps ?? [];
  const option: ChartOption = {
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const s = overall[item.dataIndex];
        return s ? `${name(s.event)}<br/>${num(s.customers)} · ${pct(s.conversion_from_first)}` : '';
      },
    },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        top: 8,
        bottom: 8,
        minSize: '8%',
        gap: 2,
        label: { show: true, position: 'inside', formatter: (p) => `${p.name}  ${num(Number(p.value))}` },
        data: overall.map((s) => ({ name: `${s.step}. ${name(s.event)}`, value: s.customers })),
      },
    ],
  };

  const columns: ColumnsType<FunnelStep> = [
    { title: t('an.funnel.step'), dataIndex: 'step', width: 60 },
    { title: t('an.event'), dataIndex: 'event', render: (e: string) => name(e) },
    {
      title: t('an.funnel.customers'),
      dataIndex: 'customers',
      align: 'right',
      render: (n: number, s) => (
        <span className="mf-num" data-testid={`funnel-count-${s.step - 1}`}>
          {num(n)}
        </span>
      ),
    },
    { title: t('an.funnel.fromFirst'), dataIndex: 'conversion_from_first', align: 'right', render: (x: number) => pct(x) },
    { title: t('an.funnel.fromPrevious'), dataIndex: 'conversion_from_previous', align: 'right', render: (x: number) => pct(x) },
    { title: t('an.funnel.dropped'), dataIndex: 'dropped', align: 'right', render: (x: number) => num(x) },
    {
      title: t('an.funnel.median'),
      dataIndex: 'median_seconds_from_previous',
      align: 'right',
      render: (x: number | null) => formatSeconds(x, lang),
    },
    ...(can(PERM_CAMPAIGN_EDIT)
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, s: FunnelStep) =>
              s.step > 1 &&
              s.dropped > 0 && (
                <Button
                  size="small"
                  type="link"
                  icon={<UsergroupAddOutlined />}
                  onClick={() => setDropStep(s.step)}
                  data-testid={`funnel-save-dropoffs-${s.step - 1}`}
                >
                  {t('an.funnel.saveDropoffs')}
                </Button>
              ),
          },
        ]
      : []),
  ];

  const csv = () => {
    const header = [t('an.group'), t('an.funnel.step'), t('an.event'), t('an.funnel.customers'), t('an.funnel.fromFirst'), t('an.funnel.fromPrevious'), t('an.funnel.dropped'), t('an.funnel.medianSeconds')];
    const all = [data!.overall, ...data!.groups];
    return {
      name: csvName('funnel', range),
      header,
      rows: all.flatMap((g) =>
        g.steps.map((s) => [g.group ?? t('an.overall'), s.step, s.event, s.customers, s.conversion_from_first, s.conversion_from_previous, s.dropped, s.median_seconds_from_previous]),
      ),
    };
  };

  return (
    <>
      <QueryCard actions={<RunButton onClick={() => result.run(query())} loading={result.loading} disabled={!ready} testId="funnel-run" />}>
        <RangeField value={range} onChange={setRange} />
        <Field label={t('an.funnel.steps')}>
          <Space wrap size={4}>
            {steps.map((s, i) => (
              <Space key={i} size={2}>
                {i > 0 && <Typography.Text type="secondary">→</Typography.Text>}
                <EventPicker
                  catalogue={catalogue.data}
                  value={s}
                  width={170}
                  onChange={(v) => setSteps(steps.map((x, j) => (j === i ? v : x)))}
                  testId={`funnel-step-${i}`}
                />
                {steps.length > 2 && (
                  <Button
                    size="small"
                    type="text"
                    icon={<CloseOutlined />}
                    aria-label={t('seg.remove')}
                    onClick={() => setSteps(steps.filter((_, j) => j !== i))}
                    data-testid={`funnel-step-remove-${i}`}
                  />
                )}
              </Space>
            ))}
            {steps.length < 10 && (
              <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setSteps([...steps, ''])} data-testid="funnel-add-step">
                {t('an.funnel.addStep')}
              </Button>
            )}
          </Space>
        </Field>
        <Field label={t('an.funnel.window')}>
          <Space.Compact>
            <InputNumber min={1} max={1440} value={windowN} onChange={(v) => setWindowN(v ?? 1)} style={{ width: 80 }} />
            <Select
              value={unit}
              onChange={setUnit}
              style={{ width: 90 }}
              options={(['minute', 'hour', 'day'] as const).map((u) => ({ value: u, label: t(`an.unit.${u}`) }))}
            />
          </Space.Compact>
        </Field>
        <Field label={t('an.funnel.mode')}>
          <Select
            value={mode}
            onChange={setMode}
            style={{ width: 130 }}
            options={(['ordered', 'strict', 'any_order'] as const).map((m) => ({ value: m, label: t(`an.funnel.mode.${m}`) }))}
          />
        </Field>
        <Field label={t('an.groupBy')}>
          <AttributePicker value={groupBy} onChange={setGroupBy} catalogue={catalogue.data} />
        </Field>
      </QueryCard>
      <ResultCard title={t('an.result')} error={result.error} hasData={!!data} loading={result.loading} csv={csv}>
        {data && (
          <>
            <EChart option={option} height={Math.max(220, overall.length * 64)} testId="funnel-chart" />
            <Table<FunnelStep>
              rowKey="step"
              size="small"
              columns={columns}
              dataSource={overall}
              pagination={false}
              onRow={(s) => ({ 'data-testid': `funnel-row-${s.step - 1}` }) as HTMLAttributes<HTMLElement>}
              data-testid="funnel-table"
            />
            {data.groups.length > 0 && <GroupTable groups={data.groups} name={name} />}
          </>
        )}
      </ResultCard>
      {dropStep !== undefined && result.query && (
        <DropoffModal query={result.query} step={dropStep} stepName={name(result.query.steps[dropStep - 1].event)} onClose={() => setDropStep(undefined)} />
      )}
    </>
  );
}

function GroupTable({ groups, name }: { groups: { group: string | null; steps: FunnelStep[] }[]; name: (e: string) => string }) {
  const { t } = useI18n();
  const n = groups[0]?.steps.length ?? 0;
  return (
    <Table
      style={{ marginTop: 16 }}
      rowKey={(g) => g.group ?? ''}
      size="small"
      dataSource={groups}
      pagination={false}
      scroll={{ x: 600 }}
      columns={[
        { title: t('an.group'), dataIndex: 'group', render: (g: string | null) => g ?? '—' },
        ...Array.from({ length: n }, (_, i) => ({
          title: `${i + 1}. ${name(groups[0].steps[i].event)}`,
          key: `s${i}`,
          align: 'right' as const,
          render: (_: unknown, g: { steps: FunnelStep[] }) => (
            <span className="mf-num">
              {num(g.steps[i]?.customers)}
              {i > 0 && <Typography.Text type="secondary"> ({pct(g.steps[i]?.conversion_from_first)})</Typography.Text>}
            </span>
          ),
        })),
      ]}
    />
  );
}

function DropoffModal({ query, step, stepName, onClose }: { query: FunnelQuery; step: number; stepName: string; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [name, setName] = useState(() => t('an.funnel.dropoffName', { step: stepName, day: query.date_to }));
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ id: string; n: number }>();
  const save = async () => {
    setSaving(true);
    try {
      const r = await analyticsApi.saveDropoffs(query, step, name.trim());
      setSaved({ id: r.segment_id, n: r.customers });
      message.success(t('an.funnel.dropoffSaved', { n: r.customers }));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      title={t('an.funnel.saveDropoffsTitle', { step: stepName })}
      onCancel={onClose}
      okText={saved ? t('common.close') : t('seg.save')}
      onOk={saved ? onClose : save}
      okButtonProps={{ loading: saving, disabled: !name.trim(), 'data-testid': 'funnel-dropoff-confirm' } as ButtonProps}
      cancelButtonProps={{ style: saved ? { display: 'none' } : undefined }}
      destroyOnHidden
    >
      {saved ? (
        <Typography.Paragraph data-testid="funnel-dropoff-saved">
          {t('an.funnel.dropoffSaved', { n: saved.n })}{' '}
          <Link to={`/insight/segments/${saved.id}`}>{t('an.funnel.openSegment')}</Link>
        </Typography.Paragraph>
      ) : (
        <Form layout="vertical">
          <Typography.Paragraph type="secondary">{t('an.funnel.dropoffHint', { step: stepName })}</Typography.Paragraph>
          <Form.Item label={t('seg.name')} required>
            <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={128} data-testid="funnel-dropoff-name" />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
