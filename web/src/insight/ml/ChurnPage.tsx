import { App, Alert, Button, Card, Col, Descriptions, Empty, Form, InputNumber, Row, Space, Statistic, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState, type HTMLAttributes } from 'react';
import { Link } from 'react-router';
import { errorMessage, fieldErrors, isApiError } from '../../api/errors';
import type { SegmentRead } from '../../api/insight';
import { mlApi, type ChurnCustomer, type ChurnRules } from '../../api/ml';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDate, formatDateTime, formatMoney, orDash } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { num2, pct } from './treeRows';

const RULE_FIELDS = ['aum_drop_pct', 'window_days', 'inactive_days', 'min_aum', 'use_aum_rule', 'use_login_rule'] as const;
const LEVEL_COLORS: Record<string, string> = { 高: '#ef4444', 中: '#f59e0b', 低: '#14b8a6' };
const PAGE = 20;

export default function ChurnPage() {
  const { t, tv } = useI18n();
  const { can, me } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm<ChurnRules>();
  const churn = useApi((signal) => mlApi.churn(signal), []);
  const [page, setPage] = useState(1);
  const customers = useApi(
    (signal) => mlApi.churnCustomers({ level: '高', limit: PAGE, offset: (page - 1) * PAGE }, signal),
    [page, churn.data?.scored_on, churn.data?.model_id],
    { keepPrevious: true },
  );
  const [training, setTraining] = useState(false);
  const [savingRules, setSavingRules] = useState(false);
  const [rulesError, setRulesError] = useState<string>();
  const [segBusy, setSegBusy] = useState(false);
  const [segment, setSegment] = useState<SegmentRead>();
  // The churn model is bank-wide: only head-office editors train it or change its rules (the server checks too).
  const hq = can(PERM_CAMPAIGN_EDIT) && me?.orgCode === 'HQ';
  const editor = can(PERM_CAMPAIGN_EDIT);

  const data = churn.data;
  useEffect(() => {
    if (data) form.setFieldsValue(data.rules);
  }, [data, form]);

  const train = async () => {
    setTraining(true);
    try {
      await mlApi.trainChurn();
      message.success(t('ml.churn.trained'));
      churn.reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setTraining(false);
    }
  };

  const saveRules = async (values: ChurnRules) => {
    setSavingRules(true);
    setRulesError(undefined);
    form.setFields(RULE_FIELDS.map((name) => ({ name, errors: [] })));
    try {
      await mlApi.updateChurnRules(values);
      message.success(t('ml.churn.rulesSaved'));
      churn.reload();
    } catch (err) {
      const byField = fieldErrors(err);
      const known = Object.entries(byField).filter(([f]) => (RULE_FIELDS as readonly string[]).includes(f));
      if (known.length) form.setFields(known.map(([name, errors]) => ({ name: name as keyof ChurnRules, errors })));
      const rest = Object.entries(byField).filter(([f]) => !(RULE_FIELDS as readonly string[]).includes(f));
      if (!known.length || rest.length) {
        const text = rest.length ? rest.map(([f, m]) => (f ? `${f}: ${m.join(', ')}` : m.join(', '))).join('; ') : errorMessage(err, t);
        setRulesError(text);
        if (isApiError(err) && err.status === 422 && typeof err.detail === 'string' && !rest.length) {
          form.setFields([{ name: 'use_aum_rule', errors: [err.detail] }]);
        }
      }
    } finally {
      setSavingRules(false);
    }
  };

  const makeSegment = async () => {
    setSegBusy(true);
    try {
      setSegment(await mlApi.churnSegment());
      message.success(t('ml.churn.segmentCreated'));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setSegBusy(false);
    }
  };

  const m = data?.metrics;
  const distribution = data?.distribution ?? [];
  const chart: ChartOption = {
    tooltip: { trigger: 'item' },
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: distribution.map((b) => tv('ml.risk', b.level)) },
    yAxis: { type: 'value' },
    series: [
      {
        type: 'bar',
        barMaxWidth: 56,
        data: distribution.map((b) => ({ value: b.count, itemStyle: { color: LEVEL_COLORS[b.level] ?? '#64748b' } })),
        label: { show: true, position: 'top', formatter: (p: { dataIndex: number }) => pct(distribution[p.dataIndex]?.ratio) },
      },
    ],
  } as ChartOption;

  const columns: ColumnsType<ChurnCustomer> = [
    {
      title: t('ml.churn.col.customer'),
      dataIndex: 'customer_id',
      render: (id: string) => (
        <Link to={`/insight/customers/${encodeURIComponent(id)}`} className="mf-mono" data-testid={`churn-customer-${id}`}>
          {id}
        </Link>
      ),
    },
    { title: t('ml.churn.col.name'), dataIndex: 'name', render: orDash },
    { title: t('ml.churn.col.phone'), dataIndex: 'phone', render: orDash },
    {
      title: t('ml.churn.col.org'),
      dataIndex: 'org_code',
      ellipsis: true,
      // The outlet's name, as on Customer 360; its code is in the tooltip for staff who search by it.
      render: (v: string, r) => (r.org_name ? <span title={v}>{r.org_name}</span> : <span className="mf-mono">{v}</span>),
    },
    { title: t('ml.churn.col.rm'), dataIndex: 'rm_id', render: (v: string | null, r) => orDash(r.rm_name ?? v) },
    { title: t('ml.churn.col.tier'), dataIndex: 'tier', render: orDash },
    { title: t('ml.churn.col.aum'), dataIndex: 'aum', align: 'right', render: (v: number | null) => <span className="mf-num">{formatMoney(v)}</span> },
    { title: t('ml.churn.col.risk'), dataIndex: 'risk', render: (v: string) => <Tag color={v === '高' ? 'red' : v === '中' ? 'orange' : 'green'}>{tv('ml.risk', v)}</Tag> },
    { title: t('ml.churn.col.score'), dataIndex: 'score', align: 'right', render: (v: number) => <span className="mf-num">{v.toFixed(3)}</span> },
  ];

  return (
    <>
      <PageHeader
        title={t('ml.churn.title')}
        subtitle={t('ml.churn.subtitle')}
        extra={
          <Space>
            {hq && (
              <Button onClick={train} loading={training} data-testid="churn-train">
                {data?.model_id ? t('ml.churn.retrain') : t('ml.churn.train')}
              </Button>
            )}
            {editor && (
              <Button type="primary" onClick={makeSegment} loading={segBusy} disabled={!data?.model_id} data-testid="churn-segment">
                {t('ml.churn.makeSegment')}
              </Button>
            )}
          </Space>
        }
      />
      {churn.error !== undefined && <ErrorAlert error={churn.error} onRetry={churn.reload} />}
      {segment && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="churn-segment-saved"
          title={
            <span>
              {t('ml.tree.savedAs', { name: segment.name })}{' '}
              <Link to={`/insight/segments/${segment.id}`} data-testid="churn-segment-link">{t('ml.tree.openSegment')}</Link>
            </span>
          }
        />
      )}
      {data && !data.model_id && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('ml.churn.noModel')} />}

      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('ml.churn.metrics')} loading={churn.loading && !data} data-testid="churn-metrics">
            {m ? (
              <>
                <Row gutter={16}>
                  <Col span={6} data-testid="churn-auc"><Statistic title={t('ml.tree.auc')} value={num2(m.auc)} /></Col>
                  <Col span={6} data-testid="churn-precision-top5"><Statistic title={t('ml.churn.precisionTop5')} value={pct(m.precision_top5)} /></Col>
                  <Col span={6}><Statistic title={t('ml.churn.liftTop5')} value={num2(m.lift_top5)} /></Col>
                  <Col span={6}><Statistic title={t('ml.churn.baseRate')} value={pct(m.base_rate)} /></Col>
                </Row>
                <Descriptions size="small" column={2} style={{ marginTop: 12 }}>
                  <Descriptions.Item label={t('ml.churn.holdoutPeriod')}>{formatDate(m.holdout_cutoff)} ~ {formatDate(m.holdout_end)}</Descriptions.Item>
                  <Descriptions.Item label={t('ml.churn.recallTop5')}>{pct(m.recall_top5)}</Descriptions.Item>
                  <Descriptions.Item label={t('ml.churn.trainRows')}>{m.train_rows.toLocaleString('en-US')} / {m.train_churners.toLocaleString('en-US')}</Descriptions.Item>
                  <Descriptions.Item label={t('ml.churn.holdoutRows')}>{m.holdout_rows.toLocaleString('en-US')} / {m.holdout_churners.toLocaleString('en-US')}</Descriptions.Item>
                  <Descriptions.Item label={t('ml.churn.trainedAt')}>{formatDateTime(data?.trained_at)} {data?.trained_by ?? ''}</Descriptions.Item>
                  <Descriptions.Item label={t('ml.churn.scoredOn')}>{formatDate(data?.scored_on)}</Descriptions.Item>
                </Descriptions>
                {m.notes.length > 0 && (
                  <Alert type="warning" showIcon style={{ marginTop: 8 }} title={<ul style={{ margin: 0, paddingLeft: 16 }}>{m.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>} />
                )}
                <Typography.Title level={5} style={{ marginTop: 16 }}>{t('ml.churn.topFeatures')}</Typography.Title>
                <Table
                  rowKey={(f) => String(f.feature ?? f.label)}
                  size="small"
                  pagination={false}
                  dataSource={m.top_features}
                  columns={[
                    { title: t('ml.churn.feature'), key: 'label', render: (_: unknown, f) => String(f.label ?? f.feature ?? '') },
                    { title: t('ml.churn.importance'), dataIndex: 'importance', align: 'right', width: 120, render: (v: number | undefined) => (typeof v === 'number' ? v.toFixed(4) : '—') },
                  ]}
                />
              </>
            ) : (
              <Empty description={data?.model_id ? t('ml.churn.metricsHqOnly') : t('ml.churn.noModel')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('ml.churn.distribution')}>
            {distribution.length ? <EChart option={chart} height={240} testId="churn-distribution" /> : <Empty />}
          </Card>
          <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('ml.churn.rules')}>
            <Form<ChurnRules> form={form} layout="vertical" onFinish={saveRules} disabled={!hq} data-testid="churn-rules">
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="use_aum_rule" label={t('ml.churn.useAumRule')} valuePropName="checked"><Switch /></Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="use_login_rule" label={t('ml.churn.useLoginRule')} valuePropName="checked"><Switch /></Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="aum_drop_pct" label={t('ml.churn.aumDropPct')}><InputNumber style={{ width: '100%' }} addonAfter="%" data-testid="churn-aum-drop" /></Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="window_days" label={t('ml.churn.windowDays')}><InputNumber style={{ width: '100%' }} addonAfter={t('ml.tree.days')} /></Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="inactive_days" label={t('ml.churn.inactiveDays')}><InputNumber style={{ width: '100%' }} addonAfter={t('ml.tree.days')} /></Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="min_aum" label={t('ml.churn.minAum')}><InputNumber style={{ width: '100%' }} addonAfter="¥" /></Form.Item>
                </Col>
              </Row>
              {rulesError && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={rulesError} />}
              {hq ? (
                <Button type="primary" htmlType="submit" loading={savingRules} data-testid="churn-rules-save">{t('ml.churn.saveRules')}</Button>
              ) : (
                <Typography.Text type="secondary">{t('ml.churn.hqOnly')}</Typography.Text>
              )}
            </Form>
          </Card>
        </Col>
      </Row>

      <Card
        variant="borderless"
        className="mf-card"
        title={t('ml.churn.highList')}
        extra={customers.data && (
          <Typography.Text type="secondary" data-testid="churn-high-total" data-total={customers.data.total}>
            {t('common.total', { n: customers.data.total.toLocaleString('en-US') })}
          </Typography.Text>
        )}
      >
        {customers.error !== undefined && <ErrorAlert error={customers.error} onRetry={customers.reload} />}
        <Table<ChurnCustomer>
          rowKey="customer_id"
          size="small"
          columns={columns}
          dataSource={customers.data?.items ?? []}
          loading={customers.loading}
          scroll={{ x: 1000 }}
          onRow={(c) => ({ 'data-testid': `churn-row-${c.customer_id}` }) as HTMLAttributes<HTMLElement>}
          pagination={{
            current: page,
            pageSize: PAGE,
            total: customers.data?.total ?? 0,
            showSizeChanger: false,
            onChange: setPage,
            showTotal: (n) => t('common.total', { n }),
            hideOnSinglePage: true,
          }}
          data-testid="churn-table"
        />
      </Card>
    </>
  );
}
