import { EditOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Collapse, Descriptions, Drawer, Empty, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { orgsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import { catalogueApi, tagsApi, type Catalogue, type HistoryPoint, type TagDistribution, type TagRead, type TagRunRead } from '../../api/insight';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDate, formatDateTime } from '../../common/format';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { ImportCard } from './editor/ImportCard';
import { VersionsCard } from './editor/VersionsCard';
import { describeRule } from './describe';
import { compactJson } from './json';
import { RunStatus } from './TagListPage';

/** Tag detail: definition, value distribution, history trend, runs, versions, "run now", edit and CSV import. */
export function TagDrawer({
  tagId,
  onClose,
  onRan,
  onEdit,
  refresh = 0,
}: {
  tagId?: number;
  onClose: () => void;
  onRan: () => void;
  /** Opens the editor on this tag (a new version). */
  onEdit?: (tag: TagRead) => void;
  /** Changes when the tag was saved elsewhere, so the drawer reloads. */
  refresh?: number;
}) {
  const { t, tv } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const [nonce, setNonce] = useState(0);
  // An import changes values, not the tag: reloading only the values keeps the import report on screen.
  const [imports, setImports] = useState(0);
  const [running, setRunning] = useState(false);
  const tag = useApi((signal) => (tagId ? tagsApi.get(tagId, signal) : Promise.resolve(undefined)), [tagId, nonce, refresh]);
  const dist = useApi((signal) => (tagId ? tagsApi.distribution(tagId, signal) : Promise.resolve(undefined)), [tagId, nonce, refresh, imports]);
  const history = useApi((signal) => (tagId ? tagsApi.history(tagId, signal) : Promise.resolve(undefined)), [tagId, nonce, refresh, imports]);
  const runs = useApi((signal) => (tagId ? tagsApi.runs(tagId, signal) : Promise.resolve(undefined)), [tagId, nonce, refresh, imports]);
  const tg = tag.data;
  // The owning org by name (总行, 广东省分行), as everywhere else; the code is its tooltip.
  const orgs = useApi((signal) => (tagId ? orgsApi.list(signal).catch(() => ({ items: [] })) : Promise.resolve(undefined)), [tagId]);
  const ownerName = tg && orgs.data?.items.find((o) => o.code === tg.owner_org)?.name;
  // Event and property labels for the rule summary; without the catalogue it falls back to dictionary names.
  const catalogue = useApi((signal) => (tagId ? catalogueApi.get(signal).catch(() => undefined) : Promise.resolve(undefined)), [tagId]);

  const runNow = async () => {
    if (!tagId) return;
    setRunning(true);
    try {
      const report = await tagsApi.run(tagId);
      const failed = report.runs.find((r) => r.status !== 'ok');
      if (failed) message.error(failed.error ?? t('tags.status.failed'));
      else message.success(t('tags.ranOk', { ms: report.elapsed_ms }));
      setNonce((n) => n + 1);
      onRan();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setRunning(false);
    }
  };

  return (
    <Drawer
      open={tagId !== undefined}
      onClose={onClose}
      size={760}
      title={tg ? tg.name : t('tags.detail')}
      destroyOnHidden
      extra={
        tg &&
        tg.editable &&
        can(PERM_CAMPAIGN_EDIT) && (
          <Space>
            {onEdit && (
              <Button icon={<EditOutlined />} onClick={() => onEdit(tg)} data-testid="tag-edit">
                {t('tagEditor.edit')}
              </Button>
            )}
            {tg.kind !== 'model' && tg.kind !== 'imported' && (
              <Button type="primary" icon={<PlayCircleOutlined />} loading={running} onClick={runNow} data-testid="tag-run">
                {t('tags.runNow')}
              </Button>
            )}
          </Space>
        )
      }
      data-testid="tag-drawer"
    >
      {tag.error !== undefined && <ErrorAlert error={tag.error} onRetry={tag.reload} />}
      {!tg ? (
        <Skeleton active />
      ) : (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('tags.col.key')}>
              <span className="mf-mono">{tg.key}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('tags.col.family')}>{tv('tagFamily', tg.family) || tg.family_name}</Descriptions.Item>
            <Descriptions.Item label={t('tags.col.kind')}>{tv('tagKind', tg.kind)}</Descriptions.Item>
            <Descriptions.Item label={t('tags.col.valueType')}>{tv('valueType', tg.value_type)}</Descriptions.Item>
            <Descriptions.Item label={t('tags.col.version')}>v{tg.version}</Descriptions.Item>
            <Descriptions.Item label={t('tags.col.owner')}>
              {ownerName ? <span title={tg.owner_org}>{ownerName}</span> : <span className="mf-mono">{tg.owner_org}</span>}
              {tg.builtin && <Tag style={{ marginInlineStart: 6 }}>{t('tags.builtin')}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t('tags.col.status')} span={2}>
              <RunStatus run={tg.last_run} />
            </Descriptions.Item>
            {tg.description ? (
              <Descriptions.Item label={t('tags.col.description')} span={2}>
                {tg.description}
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          <Card size="small" title={t('tags.definition')}>
            {tg.rule ? (
              <RuleSummary rule={tg.rule} catalogue={catalogue.data} />
            ) : (
              <Alert type="error" showIcon message={t('err.tag_rule_unreadable', { tag: tg.key })} data-testid="tag-rule-unreadable" />
            )}
            {/* Rendered while collapsed too, so the JSON text stays in the page for tests and find-in-page. */}
            <Collapse
              ghost
              size="small"
              style={{ marginTop: 8 }}
              items={[
                {
                  key: 'json',
                  label: t('tagDescribe.json'),
                  forceRender: true,
                  children: (
                    <pre className="mf-json" data-testid="tag-definition">
                      {JSON.stringify(compactJson(tg.rule), null, 2)}
                    </pre>
                  ),
                },
              ]}
              data-testid="tag-definition-toggle"
            />
          </Card>
          {tg.kind === 'imported' && tg.editable && can(PERM_CAMPAIGN_EDIT) && (
            <ImportCard
              tagId={tg.id}
              onImported={() => {
                setImports((n) => n + 1);
                onRan();
              }}
            />
          )}
          <Card size="small" title={t('tags.distribution')} extra={dist.data && <DistSummary d={dist.data} />}>
            {dist.error !== undefined && <ErrorAlert error={dist.error} onRetry={dist.reload} />}
            {dist.data ? <DistributionChart d={dist.data} /> : dist.loading && <Skeleton active />}
          </Card>
          <Card size="small" title={t('tags.history')}>
            {history.error !== undefined && <ErrorAlert error={history.error} onRetry={history.reload} />}
            {history.data && <HistoryChart points={history.data} numeric={tg.value_type === 'number'} />}
          </Card>
          <Card size="small" title={t('tags.runs')}>
            <RunsTable runs={runs.data ?? []} loading={runs.loading} />
          </Card>
          <VersionsCard tagId={tg.id} reloadKey={nonce + refresh} />
        </Space>
      )}
    </Drawer>
  );
}

/** The rule in plain words, one line per band, mapping entry or case (cases: first match wins). */
function RuleSummary({ rule, catalogue }: { rule: NonNullable<TagRead['rule']>; catalogue?: Catalogue }) {
  const { t, lang } = useI18n();
  const lines = describeRule(rule, t, { lang, catalogue });
  const ordered = rule.kind === 'rule' || rule.kind === 'lifecycle';
  return (
    <div data-testid="tag-rule-summary">
      {ordered && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('tagEditor.cases.hint')}
        </Typography.Text>
      )}
      <ul style={{ margin: ordered ? '4px 0 0' : 0, paddingInlineStart: 20 }}>
        {lines.map((line, i) => (
          <li key={i} data-testid="tag-rule-summary-line">
            {line}
          </li>
        ))}
      </ul>
    </div>
  );
}

function DistSummary({ d }: { d: TagDistribution }) {
  const { t } = useI18n();
  return (
    <Typography.Text type="secondary" data-testid="tag-coverage">
      {t('tags.coverageOf', {
        covered: d.covered.toLocaleString('en-US'),
        total: d.customers.toLocaleString('en-US'),
        ratio: (d.coverage * 100).toFixed(1),
      })}
    </Typography.Text>
  );
}

function DistributionChart({ d }: { d: TagDistribution }) {
  const { t } = useI18n();
  if (d.buckets.length === 0) {
    return <Empty description={t('tags.noValues')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  }
  const pie = d.buckets.length <= 6 && d.buckets.every((b) => b.low == null && b.high == null);
  const option: ChartOption = pie
    ? {
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        legend: { orient: 'vertical', right: 8, top: 'middle', icon: 'circle', itemWidth: 8, itemHeight: 8 },
        series: [
          {
            type: 'pie',
            radius: ['40%', '68%'],
            center: ['36%', '50%'],
            label: { formatter: '{d}%' },
            data: d.buckets.map((b) => ({ name: b.value, value: b.count })),
          },
        ],
      }
    : {
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'category', data: d.buckets.map((b) => b.value), axisLabel: { interval: 0, rotate: d.buckets.length > 8 ? 30 : 0 } },
        yAxis: { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
        series: [{ type: 'bar', name: t('tags.customers'), data: d.buckets.map((b) => b.count), barMaxWidth: 36 }],
      };
  return <EChart option={option} height={260} testId="tag-distribution-chart" />;
}

function HistoryChart({ points, numeric }: { points: HistoryPoint[]; numeric: boolean }) {
  const { t } = useI18n();
  if (points.length === 0) return <Empty description={t('tags.noHistory')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
  const values = [...new Set(sorted.flatMap((p) => Object.keys(p.counts)))].slice(0, 8);
  const series: ChartOption['series'] = numeric
    ? [
        { type: 'line', name: t('tags.covered'), data: sorted.map((p) => p.covered), smooth: true },
        { type: 'line', name: t('tags.mean'), data: sorted.map((p) => (p.mean == null ? null : Math.round(p.mean * 100) / 100)), yAxisIndex: 1, smooth: true },
      ]
    : values.map((v) => ({ type: 'line' as const, name: v, data: sorted.map((p) => p.counts[v] ?? 0), smooth: true, showSymbol: sorted.length < 40 }));
  const option: ChartOption = {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    xAxis: { type: 'category', data: sorted.map((p) => formatDate(p.day)) },
    yAxis: numeric
      ? [{ type: 'value', splitLine: { lineStyle: { type: 'dashed' } } }, { type: 'value', splitLine: { show: false } }]
      : { type: 'value', splitLine: { lineStyle: { type: 'dashed' } } },
    series,
  };
  return (
    <>
      {sorted.length === 1 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('tags.oneDayHistory')}
        </Typography.Text>
      )}
      <EChart option={option} height={240} testId="tag-history-chart" />
    </>
  );
}

function RunsTable({ runs, loading }: { runs: TagRunRead[]; loading: boolean }) {
  const { t, tv } = useI18n();
  return (
    <Table<TagRunRead>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={runs}
      pagination={runs.length > 10 ? { pageSize: 10, size: 'small' } : false}
      columns={[
        { title: t('tags.run.day'), dataIndex: 'day', render: (d: string) => formatDate(d) },
        { title: t('tags.run.trigger'), dataIndex: 'trigger', render: (v: string) => tv('tagTrigger', v) },
        { title: t('tags.run.startedAt'), dataIndex: 'started_at', render: (d: string) => formatDateTime(d) },
        { title: t('tags.run.duration'), dataIndex: 'duration_ms', align: 'right', render: (ms: number) => `${ms} ms` },
        { title: t('tags.run.customers'), dataIndex: 'customers', align: 'right', render: (n: number) => n.toLocaleString('en-US') },
        { title: t('tags.col.coverage'), dataIndex: 'coverage', align: 'right', render: (c: number) => `${(c * 100).toFixed(1)}%` },
        { title: t('tags.run.changed'), dataIndex: 'changed', align: 'right', render: (n: number) => n.toLocaleString('en-US') },
        { title: t('tags.col.status'), key: 'status', render: (_: unknown, r) => <RunStatus run={r} /> },
      ]}
      locale={{ emptyText: t('tags.neverRun') }}
    />
  );
}
