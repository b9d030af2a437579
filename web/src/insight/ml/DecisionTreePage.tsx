import { App, Alert, Button, Card, Col, Descriptions, Form, Input, InputNumber, Modal, Radio, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import type { ButtonProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState, type HTMLAttributes } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { catalogueApi, type SegmentRead } from '../../api/insight';
import { mlApi, type TreeNode, type TreeRead, type TreeRequest } from '../../api/ml';
import { useAuth } from '../../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../../auth/me';
import { ErrorAlert } from '../../common/ErrorAlert';
import { formatDate } from '../../common/format';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';
import { num2, pct, treeRows } from './treeRows';

interface FormValues {
  mode: 'event' | 'tag';
  target?: string;
  target_tag?: string;
  target_value?: string;
  features: string[];
  max_depth: number;
  min_leaf: number;
  horizon_days: number;
}

export default function DecisionTreePage() {
  const { t, tv } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const catalogue = useApi((signal) => catalogueApi.get(signal), []);
  const features = useApi((signal) => mlApi.features(signal), []);
  const [tree, setTree] = useState<TreeRead>();
  const [training, setTraining] = useState(false);
  const [trainError, setTrainError] = useState<unknown>();
  const [saving, setSaving] = useState<TreeNode>();
  const [segName, setSegName] = useState('');
  const [saveBusy, setSaveBusy] = useState(false);
  const [saved, setSaved] = useState<{ node: TreeNode; segment: SegmentRead }>();
  const mode = Form.useWatch('mode', form) ?? 'event';
  const targetTag = Form.useWatch('target_tag', form);
  const editor = can(PERM_CAMPAIGN_EDIT);

  const tagValues = useMemo(
    () => catalogue.data?.tags.find((tg) => tg.key === targetTag)?.values ?? [],
    [catalogue.data, targetTag],
  );

  const train = async (v: FormValues) => {
    const body: TreeRequest = {
      name: t('ml.tree.defaultName'),
      features: v.features,
      max_depth: v.max_depth,
      min_leaf: v.min_leaf,
      horizon_days: v.horizon_days,
      ...(v.mode === 'event' ? { target: v.target } : { target_tag: v.target_tag, target_value: v.target_value }),
    };
    setTraining(true);
    setTrainError(undefined);
    setSaved(undefined);
    try {
      setTree(await mlApi.train(body));
    } catch (err) {
      setTrainError(err);
    } finally {
      setTraining(false);
    }
  };

  const openSave = (n: TreeNode) => {
    setSaving(n);
    setSegName(`${tree?.request.target ?? `${tree?.request.target_tag}=${tree?.request.target_value}`} · ${n.rule}`.slice(0, 128));
  };

  const save = async () => {
    if (!tree || !saving) return;
    setSaveBusy(true);
    try {
      const segment = await mlApi.saveLeaf(tree.id, saving.id, segName.trim() || saving.rule.slice(0, 128));
      setSaved({ node: saving, segment });
      setSaving(undefined);
      message.success(t('ml.tree.savedToast'));
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setSaveBusy(false);
    }
  };

  const rows = useMemo(() => (tree ? treeRows(tree.nodes) : []), [tree]);

  const columns: ColumnsType<TreeNode> = [
    {
      title: t('ml.tree.col.node'),
      key: 'rule',
      render: (_: unknown, n) => (
        <div style={{ paddingLeft: n.depth * 24 }}>
          <Space size={6}>
            <Typography.Text type="secondary" className="mf-mono">#{n.id}</Typography.Text>
            {n.parent === null ? <Typography.Text strong>{t('ml.tree.root')}</Typography.Text> : <span>{n.split ?? n.rule}</span>}
            {n.leaf && <Tag color="green">{t('ml.tree.leaf')}</Tag>}
          </Space>
        </div>
      ),
    },
    {
      title: t('ml.tree.col.count'),
      dataIndex: 'count',
      width: 100,
      align: 'right',
      render: (v: number, n) => <span className="mf-num" data-testid={`tree-count-${n.id}`}>{v.toLocaleString('en-US')}</span>,
    },
    { title: t('ml.tree.col.rate'), dataIndex: 'rate', width: 100, align: 'right', render: (v: number) => <span className="mf-num">{pct(v)}</span> },
    {
      title: t('ml.tree.col.lift'),
      dataIndex: 'lift',
      width: 80,
      align: 'right',
      render: (v: number) => <span className="mf-num" style={{ color: v >= 1.5 ? '#cf1322' : undefined }}>{num2(v)}</span>,
    },
    { title: t('ml.tree.col.holdoutCount'), dataIndex: 'holdout_count', width: 110, align: 'right', render: (v: number) => <span className="mf-num">{v.toLocaleString('en-US')}</span> },
    { title: t('ml.tree.col.holdoutRate'), dataIndex: 'holdout_rate', width: 110, align: 'right', render: (v: number) => <span className="mf-num">{pct(v)}</span> },
    { title: t('ml.tree.col.holdoutLift'), dataIndex: 'holdout_lift', width: 100, align: 'right', render: (v: number) => <span className="mf-num">{num2(v)}</span> },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 110,
      render: (_: unknown, n) =>
        n.leaf && n.segmentable && editor ? (
          <Button size="small" type="link" onClick={() => openSave(n)} data-testid={`tree-leaf-save-${n.id}`}>
            {t('ml.tree.saveLeaf')}
          </Button>
        ) : n.leaf && !n.segmentable ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('ml.tree.notSegmentable')}</Typography.Text>
        ) : null,
    },
  ];

  const m = tree?.metrics;

  return (
    <>
      <PageHeader title={t('ml.tree.title')} subtitle={t('ml.tree.subtitle')} />
      <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }}>
        {catalogue.error !== undefined && <ErrorAlert error={catalogue.error} onRetry={catalogue.reload} />}
        {features.error !== undefined && <ErrorAlert error={features.error} onRetry={features.reload} />}
        <Form<FormValues>
          form={form}
          layout="vertical"
          initialValues={{ mode: 'event', features: [], max_depth: 3, min_leaf: 50, horizon_days: 30 }}
          onFinish={train}
        >
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item name="mode" label={t('ml.tree.targetKind')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: 'event', label: t('ml.tree.targetEvent') },
                    { value: 'tag', label: t('ml.tree.targetTag') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={16}>
              {mode === 'event' ? (
                <Form.Item name="target" label={t('ml.tree.target')} rules={[{ required: true, message: t('ml.tree.targetRequired') }]}>
                  <Select
                    showSearch
                    optionFilterProp="title"
                    loading={catalogue.loading}
                    placeholder={t('ml.tree.targetPlaceholder')}
                    data-testid="tree-target"
                    options={(catalogue.data?.events ?? []).map((e) => {
                      const label = e.label && e.label !== e.name ? `${e.label}（${e.name}）` : tv('event', e.name);
                      return { value: e.name, label, title: `${e.name} ${label}` };
                    })}
                  />
                </Form.Item>
              ) : (
                <Space.Compact block>
                  <Form.Item name="target_tag" label={t('ml.tree.target')} style={{ flex: 2 }} rules={[{ required: true, message: t('ml.tree.targetRequired') }]}>
                    <Select
                      showSearch
                      optionFilterProp="title"
                      data-testid="tree-target"
                      placeholder={t('ml.tree.tagPlaceholder')}
                      onChange={() => form.setFieldValue('target_value', undefined)}
                      options={(catalogue.data?.tags ?? [])
                        .filter((tg) => (tg.values?.length ?? 0) > 0)
                        .map((tg) => ({ value: tg.key, label: `${tg.name}（${tg.key}）`, title: `${tg.key} ${tg.name}` }))}
                    />
                  </Form.Item>
                  <Form.Item name="target_value" label={t('ml.tree.targetValue')} style={{ flex: 1 }} rules={[{ required: true, message: t('ml.tree.targetRequired') }]}>
                    <Select data-testid="tree-target-value" options={tagValues.map((v) => ({ value: v, label: v }))} />
                  </Form.Item>
                </Space.Compact>
              )}
            </Col>
          </Row>
          <Form.Item
            name="features"
            label={t('ml.tree.features')}
            rules={[{ required: true, message: t('ml.tree.featuresRequired') }]}
            extra={t('ml.tree.featuresHelp')}
          >
            <Select
              mode="multiple"
              allowClear
              showSearch
              optionFilterProp="title"
              loading={features.loading}
              maxCount={60}
              placeholder={t('ml.tree.featuresPlaceholder')}
              data-testid="tree-features"
              options={(features.data ?? []).map((f) => ({
                value: f.key,
                label: f.segmentable ? f.label : `${f.label} *`,
                title: `${f.key} ${f.label}`,
              }))}
            />
          </Form.Item>
          <Space wrap size={16} align="end">
            <Form.Item name="max_depth" label={t('ml.tree.maxDepth')}>
              <InputNumber min={1} max={6} data-testid="tree-max-depth" />
            </Form.Item>
            <Form.Item name="min_leaf" label={t('ml.tree.minLeaf')}>
              <InputNumber min={5} max={100000} data-testid="tree-min-leaf" />
            </Form.Item>
            <Form.Item name="horizon_days" label={t('ml.tree.horizon')}>
              <InputNumber min={1} max={180} addonAfter={t('ml.tree.days')} data-testid="tree-horizon" />
            </Form.Item>
            <Form.Item>
              <Space>
                <Button
                  onClick={() => form.setFieldValue('features', (features.data ?? []).slice(0, 60).map((f) => f.key))}
                  disabled={!features.data?.length}
                >
                  {t('ml.tree.allFeatures')}
                </Button>
                <Button type="primary" htmlType="submit" loading={training} disabled={!editor} data-testid="tree-train">
                  {t('ml.tree.train')}
                </Button>
              </Space>
            </Form.Item>
          </Space>
          {!editor && <Alert type="info" showIcon title={t('ml.tree.readOnly')} />}
        </Form>
        {trainError !== undefined && (
          <Alert type="error" showIcon title={t('ml.tree.trainFailed')} description={errorMessage(trainError, t)} style={{ marginTop: 16 }} />
        )}
      </Card>

      {tree && m && (
        <>
          <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('ml.tree.metrics')} data-testid="tree-metrics">
            <Row gutter={16}>
              <Col xs={12} md={6}>
                <Statistic title={t('ml.tree.auc')} value={num2(m.auc)} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('ml.tree.trainRate')} value={pct(m.train_rate)} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('ml.tree.holdoutRate')} value={pct(m.holdout_rate)} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('ml.tree.bestLift')}
                  value={m.best_leaves.length ? num2(Math.max(...m.best_leaves.map((b) => b.holdout_lift))) : '—'}
                />
              </Col>
            </Row>
            <Descriptions size="small" column={{ xs: 1, md: 4 }} style={{ marginTop: 12 }}>
              <Descriptions.Item label={t('ml.tree.trainCutoff')}>{formatDate(m.train_cutoff)}</Descriptions.Item>
              <Descriptions.Item label={t('ml.tree.holdoutCutoff')}>{formatDate(m.holdout_cutoff)}</Descriptions.Item>
              <Descriptions.Item label={t('ml.tree.trainRows')}>{m.train_rows.toLocaleString('en-US')}</Descriptions.Item>
              <Descriptions.Item label={t('ml.tree.holdoutRows')}>{m.holdout_rows.toLocaleString('en-US')}</Descriptions.Item>
            </Descriptions>
            {m.best_leaves.length > 0 && (
              <Table
                rowKey="node_id"
                size="small"
                pagination={false}
                style={{ marginTop: 12 }}
                dataSource={m.best_leaves}
                columns={[
                  { title: t('ml.tree.col.bestLeaf'), dataIndex: 'rule' },
                  { title: t('ml.tree.col.count'), dataIndex: 'count', width: 100, align: 'right', render: (v: number) => v.toLocaleString('en-US') },
                  { title: t('ml.tree.col.rate'), dataIndex: 'rate', width: 100, align: 'right', render: (v: number) => pct(v) },
                  { title: t('ml.tree.col.holdoutCount'), dataIndex: 'holdout_count', width: 110, align: 'right', render: (v: number) => v.toLocaleString('en-US') },
                  { title: t('ml.tree.col.holdoutRate'), dataIndex: 'holdout_rate', width: 110, align: 'right', render: (v: number) => pct(v) },
                  { title: t('ml.tree.col.holdoutLift'), dataIndex: 'holdout_lift', width: 100, align: 'right', render: (v: number) => num2(v) },
                ]}
              />
            )}
          </Card>

          {saved && (
            <Alert
              type="success"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="tree-saved"
              data-segment-id={saved.segment.id}
              title={
                <span>
                  {t('ml.tree.savedAs', { name: saved.segment.name })}{' '}
                  <Link to={`/insight/segments/${saved.segment.id}`} data-testid="tree-saved-link">
                    {t('ml.tree.openSegment')}
                  </Link>
                </span>
              }
            />
          )}

          <Card variant="borderless" className="mf-card" style={{ marginBottom: 16 }} title={t('ml.tree.nodes')}>
            <Table<TreeNode>
              rowKey="id"
              size="small"
              columns={columns}
              dataSource={rows}
              pagination={false}
              scroll={{ x: 1000 }}
              onRow={(n) => ({ 'data-testid': `tree-node-${n.id}` }) as HTMLAttributes<HTMLElement>}
              data-testid="tree-table"
            />
          </Card>

          <Card variant="borderless" className="mf-card" title={t('ml.tree.rules')}>
            <ol style={{ margin: 0, paddingLeft: 20 }} data-testid="tree-rules">
              {tree.rules.map((r, i) => (
                <li key={i} style={{ marginBottom: 4 }}>{r}</li>
              ))}
            </ol>
          </Card>
        </>
      )}

      <Modal
        open={saving !== undefined}
        title={t('ml.tree.saveLeafTitle')}
        onCancel={() => setSaving(undefined)}
        onOk={save}
        confirmLoading={saveBusy}
        okText={t('ml.tree.saveLeaf')}
        okButtonProps={{ 'data-testid': 'tree-leaf-confirm' } as ButtonProps}
      >
        {saving && (
          <>
            <Typography.Paragraph type="secondary">{saving.rule}</Typography.Paragraph>
            <Typography.Paragraph>{t('ml.tree.saveLeafCount', { n: saving.count.toLocaleString('en-US') })}</Typography.Paragraph>
            <Input value={segName} maxLength={128} onChange={(e) => setSegName(e.target.value)} data-testid="tree-leaf-name" />
          </>
        )}
      </Modal>
    </>
  );
}
