import { CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, type ButtonProps, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { analyticsApi, type EventSpec, type FunnelMode, type FunnelQuery, type WindowUnit } from '../api/analytics';
import { errorMessage } from '../api/errors';
import { useAuth } from '../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../auth/me';
import { useI18n } from '../i18n';
import { EventPicker, Field, useEventName } from './common';
import { FunnelExclusionsField, FunnelGroupByField } from './filters/FunnelFields';
import {
  clampExclusions,
  decodeGroup,
  encodeGroup,
  eventSpec,
  exclusionsFromQuery,
  exclusionsToQuery,
  propertyFiltersComplete,
  type ExclusionRow,
} from './filters/filters';
import { PropertyFiltersField } from './filters/PropertyFiltersField';
import { AnalysisLayout, useAnalysisPage } from './page';
import { FunnelView } from './views/FunnelView';

export default function FunnelPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const [steps, setSteps] = useState<EventSpec[]>([{ event: '' }, { event: '' }]);
  const [exclusions, setExclusions] = useState<ExclusionRow[]>([]);
  const [windowN, setWindowN] = useState(7);
  const [unit, setUnit] = useState<WindowUnit>('day');
  const [mode, setMode] = useState<FunnelMode>('ordered');
  // `attribute:<name>` or `property:<name>` (a property of the first step's event).
  const [groupBy, setGroupBy] = useState<string>();
  const [dropStep, setDropStep] = useState<number>();
  const page = useAnalysisPage('funnel', analyticsApi.funnel, (q: FunnelQuery) => {
    setSteps(q.steps.map((s) => ({ event: s.event, filters: s.filters ?? [] })));
    setExclusions(exclusionsFromQuery(q.exclusions, q.steps.length));
    setWindowN(q.window);
    setUnit(q.window_unit);
    setMode(q.mode);
    setGroupBy(encodeGroup(q.group_by));
  });
  const { catalogue, result } = page;
  const name = useEventName(catalogue.data);

  const ready =
    steps.length >= 2 &&
    steps.every((s) => s.event && propertyFiltersComplete(s.filters)) &&
    exclusions.every((x) => propertyFiltersComplete(x.filters));
  const query = (): FunnelQuery => ({
    ...page.base,
    steps: steps.map((s) => eventSpec(s.event, s.filters, catalogue.data)),
    window: windowN,
    window_unit: unit,
    mode,
    exclusions: exclusionsToQuery(exclusions, mode, steps.length, catalogue.data),
    group_by: decodeGroup(groupBy),
  });
  const setStep = (i: number, patch: Partial<EventSpec>) => {
    setSteps(steps.map((x, j) => (j === i ? { ...x, ...patch } : x)));
    // A first-step property to group by belongs to the first step's event.
    if (i === 0 && patch.event !== undefined && decodeGroup(groupBy)?.kind === 'property') setGroupBy(undefined);
  };
  const removeStep = (i: number) => {
    setSteps(steps.filter((_, j) => j !== i));
    setExclusions(clampExclusions(exclusions, steps.length - 1));
    if (i === 0 && decodeGroup(groupBy)?.kind === 'property') setGroupBy(undefined);
  };

  const data = result.data;

  return (
    <>
      <AnalysisLayout
        page={page}
        onRun={() => result.run(query())}
        ready={ready}
        runTestId="funnel-run"
        fields={
          <>
            <Field label={t('an.funnel.steps')}>
              <Space orientation="vertical" size={4}>
                {steps.map((s, i) => (
                  <div key={i} className="mf-an-event-block">
                    <Space size={4}>
                      <Typography.Text type="secondary" className="mf-num">
                        {i + 1}.
                      </Typography.Text>
                      <EventPicker
                        catalogue={catalogue.data}
                        value={s.event}
                        width={190}
                        onChange={(event) => setStep(i, { event, filters: [] })}
                        testId={`funnel-step-${i}`}
                      />
                      {steps.length > 2 && (
                        <Button
                          size="small"
                          type="text"
                          icon={<CloseOutlined />}
                          aria-label={t('seg.remove')}
                          onClick={() => removeStep(i)}
                          data-testid={`funnel-step-remove-${i}`}
                        />
                      )}
                    </Space>
                    <PropertyFiltersField catalogue={catalogue.data} event={s.event} value={s.filters} onChange={(filters) => setStep(i, { filters })} index={i} />
                  </div>
                ))}
                {steps.length < 10 && (
                  <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => setSteps([...steps, { event: '' }])} data-testid="funnel-add-step">
                    {t('an.funnel.addStep')}
                  </Button>
                )}
              </Space>
            </Field>
            <FunnelExclusionsField catalogue={catalogue.data} value={exclusions} onChange={setExclusions} steps={steps.length} mode={mode} />
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
              <span data-testid="funnel-mode" className="mf-cond-field">
                <Select
                  value={mode}
                  onChange={setMode}
                  style={{ width: 130 }}
                  options={(['ordered', 'strict', 'any_order'] as const).map((m) => ({ value: m, label: t(`an.funnel.mode.${m}`) }))}
                />
              </span>
            </Field>
            <FunnelGroupByField catalogue={catalogue.data} firstEvent={steps[0]?.event} value={groupBy} onChange={setGroupBy} />
          </>
        }
      >
        {data && (
          <FunnelView data={data} catalogue={catalogue.data} onSaveDropoffs={can(PERM_CAMPAIGN_EDIT) ? setDropStep : undefined} />
        )}
      </AnalysisLayout>
      {dropStep !== undefined && result.query && (
        <DropoffModal query={result.query} step={dropStep} stepName={name(result.query.steps[dropStep - 1].event)} onClose={() => setDropStep(undefined)} />
      )}
    </>
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
