import { Alert, App, Form, Input, InputNumber, Modal, Radio, Select, Typography, type ButtonProps } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import {
  dashboardsApi,
  savedApi,
  type AnalysisModel,
  type AnyQuery,
  type Dashboard,
  type SavedAnalysis,
  type SavedRange,
} from '../../api/dashboards';
import { errorMessage, fieldErrors, isApiError } from '../../api/errors';
import { useApi } from '../../common/useApi';
import { useI18n, type MessageKey } from '../../i18n';
import { defaultRange, hasDates, MAX_ROLLING_DAYS } from './range';

const NEW_DASHBOARD = 'new';

interface SaveForm {
  name: string;
  description?: string;
  rangeKind: SavedRange['kind'];
  days: number;
  dashboard?: string;
  dashboardName?: string;
  mode: 'new' | 'update';
}

/**
 * 保存分析: names the analysis that produced the shown result, chooses fixed dates or a rolling "last N days"
 * window, and optionally pins it to an existing or a new dashboard. When the page was opened from a saved
 * analysis its owner may overwrite it instead of saving a copy.
 */
export function SaveAnalysisModal({
  model,
  query,
  loaded,
  defaultName,
  onClose,
  onSaved,
}: {
  model: AnalysisModel;
  query: AnyQuery;
  loaded?: SavedAnalysis;
  /** The name offered for a new analysis (e.g. a metric's name when pinning a metric). */
  defaultName?: string;
  onClose: () => void;
  onSaved?: (analysis: SavedAnalysis) => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<SaveForm>();
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  // What an earlier attempt already created, so a retry after a failed pin does not make duplicates.
  const done = useRef<{ analysis?: SavedAnalysis; dashboard?: Dashboard }>({});
  const dashboards = useApi((signal) => dashboardsApi.list(signal), []);
  const dated = hasDates(query);
  const initialRange = loaded && dated ? loaded.range : defaultRange(query);
  const mayUpdate = !!loaded?.can_edit;
  const rangeKind = Form.useWatch('rangeKind', form);
  const dashboard = Form.useWatch('dashboard', form);

  // Only dashboards the user may change can take a new widget.
  const dashboardOptions = useMemo(
    () => [
      ...(dashboards.data ?? [])
        .filter((d) => d.can_edit)
        .map((d) => ({ value: String(d.id), label: d.name })),
      { value: NEW_DASHBOARD, label: t('dash.save.newDashboard') },
    ],
    [dashboards.data, t],
  );

  const save = async () => {
    let v: SaveForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    setFormError(null);
    const range: SavedRange = dated && v.rangeKind === 'last_days' ? { kind: 'last_days', days: v.days } : { kind: 'fixed' };
    const body = { name: v.name.trim(), description: v.description?.trim() || null, model, query, range };
    let step: 'analysis' | 'dashboard' = 'analysis';
    try {
      const existing = done.current.analysis ?? (v.mode === 'update' ? loaded : undefined);
      const analysis = existing ? await savedApi.update(existing.id, body) : await savedApi.create(body);
      done.current.analysis = analysis;
      step = 'dashboard';
      let pinnedTo: { id: number; name: string } | undefined;
      if (v.dashboard) {
        let target: Dashboard;
        if (v.dashboard === NEW_DASHBOARD) {
          target = done.current.dashboard ?? (await dashboardsApi.create({ name: v.dashboardName!.trim(), shared: false }));
          done.current.dashboard = target;
        } else {
          target = (dashboards.data ?? []).find((d) => String(d.id) === v.dashboard)!;
        }
        try {
          await dashboardsApi.addItem(target.id, analysis.id);
        } catch (err) {
          // 409: an updated analysis that is already on that dashboard stays where it is.
          if (!(isApiError(err) && err.status === 409)) throw err;
        }
        pinnedTo = { id: target.id, name: target.name };
      }
      const pinned = pinnedTo;
      message.success(
        pinned ? (
          <span data-testid="an-saved">
            {t('dash.save.pinned', { name: analysis.name, dashboard: pinned.name })}{' '}
            {/* The message renders outside the router, so it navigates with the page's navigate, not a <Link>. */}
            <Typography.Link onClick={() => navigate(`/monitor/dashboards/${pinned.id}`)} data-testid="an-saved-open">
              {t('dash.save.openDashboard')}
            </Typography.Link>
          </span>
        ) : (
          <span data-testid="an-saved">{t('dash.save.saved', { name: analysis.name })}</span>
        ),
      );
      onSaved?.(analysis);
      onClose();
    } catch (err) {
      const fields = fieldErrors(err);
      const named = (['name', 'description'] as const).filter((f) => fields[f]);
      if (step === 'analysis' && named.length) {
        form.setFields(named.map((f) => ({ name: f, errors: fields[f] })));
      } else {
        // The analysis may already be saved when pinning fails; say so rather than inviting a duplicate save.
        const prefix = step === 'dashboard' ? `${t('dash.save.savedNotPinned')} ` : '';
        setFormError(prefix + errorMessage(err, t));
      }
    } finally {
      setSaving(false);
    }
  };

  const required = { required: true, message: t('dash.required') };
  return (
    <Modal
      open
      title={t('dash.save.title')}
      onCancel={onClose}
      onOk={save}
      okText={t('dash.save.ok')}
      okButtonProps={{ loading: saving, 'data-testid': 'an-save-ok' } as ButtonProps}
      maskClosable={false}
      destroyOnHidden
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} data-testid="an-save-error" />}
      <Form<SaveForm>
        form={form}
        layout="vertical"
        initialValues={{
          name: loaded?.name ?? defaultName ?? '',
          description: loaded?.description ?? '',
          rangeKind: initialRange.kind,
          days: initialRange.kind === 'last_days' ? initialRange.days : 30,
          mode: mayUpdate ? 'update' : 'new',
        }}
      >
        {mayUpdate && (
          <Form.Item name="mode" label={t('dash.save.mode')}>
            <Radio.Group data-testid="an-save-mode">
              <Radio value="update">{t('dash.save.mode.update', { name: loaded!.name })}</Radio>
              <Radio value="new">{t('dash.save.mode.new')}</Radio>
            </Radio.Group>
          </Form.Item>
        )}
        <Form.Item name="name" label={t('dash.save.name')} rules={[{ ...required, whitespace: true }, { max: 100, message: t('dash.tooLong', { n: 100 }) }]}>
          <Input autoComplete="off" maxLength={100} placeholder={t(`an.model.${model}` as MessageKey)} data-testid="an-save-name" />
        </Form.Item>
        <Form.Item name="description" label={t('dash.save.description')}>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={500} />
        </Form.Item>
        {hasDates(query) ? (
          <>
            <Form.Item name="rangeKind" label={t('dash.save.range')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'last_days', label: t('dash.save.last') },
                  { value: 'fixed', label: t('dash.save.fixed') },
                ]}
                data-testid="an-save-range"
              />
            </Form.Item>
            {rangeKind === 'fixed' ? (
              <Form.Item extra={t('dash.save.fixedHint')} style={{ marginTop: -12 }}>
                <Typography.Text className="mf-num" data-testid="an-save-fixed-dates">
                  {query.date_from} ~ {query.date_to}
                </Typography.Text>
              </Form.Item>
            ) : (
              <Form.Item
                name="days"
                label={t('dash.save.days')}
                extra={t('dash.save.rollingHint')}
                rules={[required]}
              >
                <InputNumber min={1} max={MAX_ROLLING_DAYS} precision={0} style={{ width: 120 }} data-testid="an-save-days" />
              </Form.Item>
            )}
          </>
        ) : (
          <Typography.Paragraph type="secondary">{t('dash.save.noDates')}</Typography.Paragraph>
        )}
        <Form.Item name="dashboard" label={t('dash.save.dashboard')} extra={t('dash.save.dashboardHint')}>
          <Select
            allowClear
            loading={dashboards.loading}
            placeholder={t('dash.save.noDashboard')}
            options={dashboardOptions}
            data-testid="an-save-dashboard"
          />
        </Form.Item>
        {dashboard === NEW_DASHBOARD && (
          <Form.Item
            name="dashboardName"
            label={t('dash.save.dashboardName')}
            rules={[{ ...required, whitespace: true }, { max: 100, message: t('dash.tooLong', { n: 100 }) }]}
          >
            <Input autoComplete="off" maxLength={100} data-testid="an-save-dashboard-name" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
