import { ArrowLeftOutlined, DownloadOutlined, PieChartOutlined, SaveOutlined } from '@ant-design/icons';
import { App, Alert, Button, Card, Col, Form, Input, Radio, Result, Row, Skeleton, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { downloadFile } from '../../api/client';
import { errorMessage, isApiError } from '../../api/errors';
import {
  catalogueApi,
  segmentsApi,
  type Composition,
  type Condition,
  type GroupCondition,
  type MemberRow,
  type SegmentRead,
  type SnapshotRead,
} from '../../api/insight';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT, PERM_EXPORT } from '../../auth/me';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDate, formatDateTime, formatMoney, orDash } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { genderLabel } from '../customers/labels';
import { CompositionCharts } from './CompositionCharts';
import { ConditionTree, type EditorContext } from './ConditionEditor';
import { countLeaves, emptyGroup, isComplete } from './tree';
import { useEstimate } from './useEstimate';

/** The builder edits a group at the root; a saved non-group definition is wrapped for editing. */
function asRootGroup(def: Condition | null): GroupCondition {
  if (def === null) return emptyGroup(); // stored under older rules, no longer readable: built again from scratch
  return def.type === 'group' ? def : { type: 'group', op: 'and', conditions: [def] };
}

export default function SegmentBuilderPage() {
  const { id } = useParams();
  const segmentId = id && /^\d+$/.test(id) ? Number(id) : undefined;
  const isNew = id === undefined || id === 'new';
  const { t } = useI18n();
  const { can } = useAuth();
  const catalogue = useApi((signal) => catalogueApi.get(signal), []);
  // The rest waits for the catalogue: the first insight call of a fresh server installs the default
  // tags, and parallel first calls race there.
  const ready = catalogue.data !== undefined;
  const segments = useApi((signal) => (ready ? segmentsApi.list(signal) : Promise.resolve(undefined)), [ready]);
  const lists = useApi((signal) => (ready ? segmentsApi.lists(signal).catch(() => []) : Promise.resolve([])), [ready]);
  const saved = useApi(
    (signal) => (segmentId && ready ? segmentsApi.get(segmentId, signal) : Promise.resolve(undefined)),
    [segmentId, ready],
  );

  if (!isNew && segmentId === undefined) {
    return <Result status="404" title="404" subTitle={t('seg.notFound')} />;
  }
  if (saved.error) {
    if (isApiError(saved.error) && saved.error.status === 404) {
      return <Result status="404" title="404" subTitle={t('seg.notFound')} data-testid="segment-not-found" />;
    }
    return <ErrorAlert error={saved.error} onRetry={saved.reload} />;
  }
  if (catalogue.error) return <ErrorAlert error={catalogue.error} onRetry={catalogue.reload} />;
  if (!catalogue.data || (segmentId && !saved.data)) {
    return (
      <Card variant="borderless" className="mf-card">
        <Skeleton active />
      </Card>
    );
  }
  const ctx: EditorContext = {
    catalogue: catalogue.data,
    segments: segments.data?.items ?? [],
    lists: lists.data ?? [],
    selfId: segmentId,
    readOnly: !can(PERM_CAMPAIGN_EDIT) || (saved.data ? !saved.data.editable : false),
  };
  return (
    <Builder
      key={segmentId ?? 'new'}
      segment={saved.data}
      ctx={ctx}
      canExport={can(PERM_EXPORT)}
      onSaved={saved.reload}
    />
  );
}

function Builder({
  segment,
  ctx,
  canExport,
  onSaved,
}: {
  segment?: SegmentRead;
  ctx: EditorContext;
  canExport: boolean;
  onSaved: () => void;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<{ name: string; description: string; kind: 'dynamic' | 'static' }>();
  const [tree, setTree] = useState<GroupCondition>(() => (segment ? asRootGroup(segment.definition) : emptyGroup()));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [exporting, setExporting] = useState(false);
  const frozen = !!segment && segment.kind === 'static' && !!segment.frozen_on;
  const treeReadOnly = ctx.readOnly || frozen;
  const complete = isComplete(tree);
  const estimate = useEstimate(tree, complete);
  const [preview, setPreview] = useState<{ loading: boolean; data?: Composition; error?: unknown }>({ loading: false });

  const dirty = useMemo(
    () => !segment || JSON.stringify(asRootGroup(segment.definition)) !== JSON.stringify(tree),
    [segment, tree],
  );

  const save = async () => {
    let values: { name: string; description: string; kind: 'dynamic' | 'static' };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (!complete) {
      setSaveError(new Error(t('seg.incomplete')));
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    try {
      if (segment) {
        await segmentsApi.update(segment.id, {
          name: values.name.trim(),
          description: values.description ?? '',
          ...(frozen || !dirty ? {} : { definition: tree }),
        });
        message.success(t('seg.saved'));
        onSaved();
      } else {
        const created = await segmentsApi.create({
          name: values.name.trim(),
          description: values.description ?? '',
          kind: values.kind,
          definition: tree,
        });
        message.success(t('seg.saved'));
        navigate(`/insight/segments/${created.id}`, { replace: true });
      }
    } catch (err) {
      setSaveError(err);
    } finally {
      setSaving(false);
    }
  };

  const exportCsv = async () => {
    if (!segment) return;
    setExporting(true);
    try {
      await downloadFile(segmentsApi.exportPath(segment.id), `segment-${segment.id}.csv`, { lang });
      message.success(t('seg.exported'));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setExporting(false);
    }
  };

  const loadPreview = () => {
    setPreview({ loading: true });
    segmentsApi.previewComposition(tree).then(
      (data) => setPreview({ loading: false, data }),
      (error: unknown) => setPreview({ loading: false, error }),
    );
  };

  return (
    <>
      <PageHeader
        back={
          <Link to="/insight/segments">
            <Button type="text" icon={<ArrowLeftOutlined />} aria-label={t('seg.backToList')} />
          </Link>
        }
        title={segment ? segment.name : t('seg.newTitle')}
        subtitle={
          segment ? (
            <Space size={6}>
              <Tag color={segment.kind === 'static' ? 'gold' : 'blue'}>{t(segment.kind === 'static' ? 'seg.static' : 'seg.dynamic')}</Tag>
              <span>{t('seg.versionOwner', { v: segment.version, org: segment.owner_org })}</span>
              {segment.frozen_on && <span>{t('seg.frozenOn', { day: formatDate(segment.frozen_on) })}</span>}
            </Space>
          ) : (
            t('seg.newSubtitle')
          )
        }
        extra={
          <>
            {segment && canExport && (
              <Button icon={<DownloadOutlined />} loading={exporting} onClick={exportCsv} data-testid="segment-export">
                {t('seg.export')}
              </Button>
            )}
            {!ctx.readOnly && (
              <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={save} data-testid="segment-save">
                {t('seg.save')}
              </Button>
            )}
          </>
        }
      />
      {ctx.readOnly && <Alert type="info" showIcon title={t('seg.readOnly')} style={{ marginBottom: 12 }} />}
      {saveError !== undefined && (
        <Alert
          type="error"
          showIcon
          title={t('seg.saveFailed')}
          description={errorMessage(saveError, t)}
          style={{ marginBottom: 12 }}
          data-testid="segment-save-error"
        />
      )}
      <Row gutter={16}>
        <Col xs={24} xl={17}>
          <Card size="small" title={t('seg.basic')} className="mf-card">
            <Form
              form={form}
              layout="vertical"
              disabled={ctx.readOnly}
              initialValues={{
                name: segment?.name ?? '',
                description: segment?.description ?? '',
                kind: (segment?.kind as 'dynamic' | 'static') ?? 'dynamic',
              }}
            >
              <Row gutter={16}>
                <Col xs={24} md={10}>
                  <Form.Item
                    name="name"
                    label={t('seg.name')}
                    rules={[{ required: true, whitespace: true, message: t('seg.nameRequired') }, { max: 128 }]}
                  >
                    <Input maxLength={128} placeholder={t('seg.namePlaceholder')} data-testid="segment-name" />
                  </Form.Item>
                </Col>
                <Col xs={24} md={14}>
                  <Form.Item name="kind" label={t('seg.kindLabel')} extra={t('seg.kindHint')}>
                    <Radio.Group disabled={!!segment} data-testid="segment-kind">
                      <Radio value="dynamic">{t('seg.dynamic')}</Radio>
                      <Radio value="static">{t('seg.static')}</Radio>
                    </Radio.Group>
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="description" label={t('seg.description')} style={{ marginBottom: 0 }}>
                <Input.TextArea maxLength={2000} autoSize={{ minRows: 1, maxRows: 4 }} data-testid="segment-description" />
              </Form.Item>
            </Form>
          </Card>
          <Card
            size="small"
            title={t('seg.conditions')}
            className="mf-card"
            extra={<Typography.Text type="secondary">{t('seg.conditionCount', { n: countLeaves(tree) })}</Typography.Text>}
          >
            {frozen && <Alert type="warning" showIcon title={t('seg.frozenNote')} style={{ marginBottom: 12 }} />}
            <ConditionTree
              value={tree}
              onChange={(next) => setTree(asRootGroup(next))}
              ctx={{ ...ctx, readOnly: treeReadOnly }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={7}>
          <div className="mf-sticky">
            <Card size="small" title={t('seg.estimate')} className="mf-card">
              <EstimateBox estimate={estimate} complete={complete} />
              <Button
                block
                icon={<PieChartOutlined />}
                disabled={!complete}
                loading={preview.loading}
                onClick={loadPreview}
                style={{ marginTop: 12 }}
                data-testid="segment-preview-composition"
              >
                {t('seg.previewComposition')}
              </Button>
            </Card>
            {segment && (segment.last_count !== null || segment.last_error) && (
              <Card size="small" title={t('seg.lastRun')} className="mf-card">
                <Statistic title={t('seg.lastCount')} value={segment.last_count ?? '—'} />
                <Typography.Text type="secondary">
                  {t('seg.lastEvaluated', { day: formatDate(segment.last_evaluated_on) })}
                </Typography.Text>
                {segment.last_error && (
                  <Alert
                    type="error"
                    showIcon
                    style={{ marginTop: 12 }}
                    data-testid="segment-last-error"
                    title={t('input.failedTip', { error: segment.last_error })}
                    description={`${t('input.segmentFailed')}（${formatDateTime(segment.last_error_at)}）`}
                  />
                )}
              </Card>
            )}
          </div>
        </Col>
      </Row>
      {(preview.data || preview.error !== undefined) && (
        <Card size="small" title={t('seg.previewTitle')} className="mf-card" data-testid="segment-preview">
          {preview.error !== undefined ? (
            <ErrorAlert error={preview.error} onRetry={loadPreview} />
          ) : (
            preview.data && <CompositionCharts composition={preview.data} />
          )}
        </Card>
      )}
      {segment && <SavedSegmentDetails segment={segment} />}
    </>
  );
}

function EstimateBox({ estimate, complete }: { estimate: ReturnType<typeof useEstimate>; complete: boolean }) {
  const { t } = useI18n();
  if (!complete) {
    return (
      <div data-testid="segment-estimate-pending">
        <Typography.Text type="secondary">{t('seg.estimateIncomplete')}</Typography.Text>
      </div>
    );
  }
  if (estimate.error !== undefined) {
    return <Alert type="warning" showIcon title={errorMessage(estimate.error, t)} data-testid="segment-estimate-error" />;
  }
  const d = estimate.data;
  return (
    <div className={estimate.loading ? 'mf-estimate mf-estimate-loading' : 'mf-estimate'}>
      <div className="mf-estimate-count">
        <span data-testid="segment-estimate" data-count={d?.count ?? ''} data-loading={estimate.loading ? '1' : '0'}>
          {d ? d.count.toLocaleString('en-US') : '—'}
        </span>
        <span className="mf-estimate-unit">{t('seg.people')}</span>
      </div>
      {d && (
        <Typography.Text type="secondary" data-testid="segment-estimate-ratio">
          {t('seg.estimateOf', { total: d.total.toLocaleString('en-US'), ratio: (d.ratio * 100).toFixed(2) })}
        </Typography.Text>
      )}
      {d && (
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('seg.estimateMs', { ms: d.elapsed_ms })}
          </Typography.Text>
        </div>
      )}
    </div>
  );
}

const MEMBER_PAGE = 10;

function SavedSegmentDetails({ segment }: { segment: SegmentRead }) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [segment.id, segment.version]);
  const composition = useApi((signal) => segmentsApi.composition(segment.id, signal), [segment.id, segment.version]);
  const snapshots = useApi((signal) => segmentsApi.snapshots(segment.id, signal).catch(() => []), [segment.id, segment.version]);
  const members = useApi(
    (signal) => segmentsApi.members(segment.id, { limit: MEMBER_PAGE, offset: (page - 1) * MEMBER_PAGE }, signal),
    [segment.id, segment.version, page],
    { keepPrevious: true },
  );
  const columns: ColumnsType<MemberRow> = [
    {
      title: t('customers.col.customerId'),
      dataIndex: 'customer_id',
      render: (cid: string) => (
        <Link to={`/insight/customers/${encodeURIComponent(cid)}`} className="mf-mono">
          {cid}
        </Link>
      ),
    },
    { title: t('customers.col.name'), dataIndex: 'name', render: orDash },
    { title: t('customers.col.gender'), dataIndex: 'gender', render: (g: string | null) => genderLabel(lang, g) },
    { title: t('customers.col.age'), dataIndex: 'age', align: 'right', render: orDash },
    { title: t('customers.col.phone'), dataIndex: 'phone', render: (p: string | null) => <span className="mf-num">{orDash(p)}</span> },
    { title: t('seg.col.region'), key: 'region', render: (_: unknown, r) => [r.province, r.city].filter(Boolean).join(' ') || '—' },
    { title: t('customers.col.tier'), dataIndex: 'tier', render: (v: string | null) => (v ? <Tag>{v}</Tag> : '—') },
    { title: t('customers.col.riskLevel'), dataIndex: 'risk_level', render: orDash },
    { title: t('customers.col.org'), dataIndex: 'org_code', render: (v: string) => <span className="mf-mono">{v}</span> },
    {
      title: t('customers.col.aum'),
      dataIndex: 'aum',
      align: 'right',
      render: (v: number | null) => <span className="mf-num">{formatMoney(v)}</span>,
    },
  ];
  return (
    <>
      <Card size="small" title={t('seg.composition')} className="mf-card" data-testid="segment-composition">
        {composition.error !== undefined && <ErrorAlert error={composition.error} onRetry={composition.reload} />}
        {composition.loading && !composition.data ? <Skeleton active /> : composition.data && <CompositionCharts composition={composition.data} />}
      </Card>
      {snapshots.data && snapshots.data.length > 0 && <SnapshotTrend points={snapshots.data} />}
      <Card
        size="small"
        title={t('seg.members')}
        className="mf-card"
        extra={<Typography.Text type="secondary">{t('customers.maskedNote')}</Typography.Text>}
      >
        {members.error !== undefined && <ErrorAlert error={members.error} onRetry={members.reload} />}
        <Table<MemberRow>
          rowKey="customer_id"
          size="small"
          columns={columns}
          dataSource={members.data?.items ?? []}
          loading={members.loading}
          scroll={{ x: 1000 }}
          pagination={{
            current: page,
            pageSize: MEMBER_PAGE,
            total: members.data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (n) => t('common.total', { n }),
            onChange: setPage,
          }}
          data-testid="segment-members"
        />
      </Card>
    </>
  );
}

function SnapshotTrend({ points }: { points: SnapshotRead[] }) {
  const { t } = useI18n();
  const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: sorted.map((p) => formatDate(p.day)) },
    yAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
    series: [{ type: sorted.length > 1 ? 'line' : 'bar', name: t('seg.lastCount'), data: sorted.map((p) => p.count), smooth: true, barMaxWidth: 40 }],
  };
  return (
    <Card size="small" title={t('seg.snapshots')} className="mf-card">
      <EChart option={option} height={200} testId="segment-snapshots" />
    </Card>
  );
}
