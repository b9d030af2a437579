import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useMemo, useState } from 'react';
import { dataApi, type DataEntity, type DataLoad } from '../api/data';
import { errorMessage } from '../api/errors';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime, orDash } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useT, type MessageKey } from '../i18n';
import { decodeSample, guessMapping, missingRequired, previewCsv, type CsvPreview } from './dataMapping';
import { DataQualityTab } from './DataQualityTab';
import { chosenValues, unknownChoices } from './valueMapping';

const PREVIEW_ROWS = 5;
const SAMPLE_BYTES = 64 * 1024;
const IGNORE = '';

/** 系统管理 → 数据接入: upload a file with a checked column mapping, see the load history and download rejects. */
export default function DataLoadsPage() {
  const t = useT();
  const { message } = App.useApp();
  const entities = useApi((signal) => dataApi.entities(signal), []);
  const history = useApi((signal) => dataApi.loads(signal), []);
  const [entityName, setEntityName] = useState('customers');
  const [mode, setMode] = useState<'delta' | 'full'>('delta');
  const [source, setSource] = useState('');
  const [thresholdPct, setThresholdPct] = useState<number>(1);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [valueMap, setValueMap] = useState<Record<string, Record<string, string>>>({});
  // The entity the mapping was guessed for: a file picked before the entities have loaded is guessed once they
  // have, and choosing another entity guesses again (a user's own choices for the same entity are kept).
  const [guessedFor, setGuessedFor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const entity: DataEntity | undefined = entities.data?.find((e) => e.name === entityName);
  const isCsv = !!file && !/\.(parquet|jsonl|ndjson|json)$/i.test(file.name);
  const missing = entity && preview ? missingRequired(mapping, entity) : [];
  const unknownValues = entity && preview ? unknownChoices(preview, mapping, entity) : [];

  useEffect(() => {
    if (!preview || !entity || guessedFor === entity.name) return;
    setMapping(guessMapping(preview.headers, entity));
    setGuessedFor(entity.name);
  }, [preview, entity, guessedFor]);

  const pickFile = async (f: File) => {
    setFile(f);
    setResult(null);
    if (/\.(parquet|jsonl|ndjson|json)$/i.test(f.name)) {
      setPreview(null);
      setMapping({});
      return;
    }
    const bytes = new Uint8Array(await f.slice(0, SAMPLE_BYTES).arrayBuffer());
    const p = previewCsv(decodeSample(bytes), PREVIEW_ROWS);
    setMapping({});
    setGuessedFor(null);
    setPreview(p);
  };

  const chooseEntity = (name: string) => {
    setEntityName(name);
    const next = entities.data?.find((e) => e.name === name);
    if (!next?.full_allowed) setMode('delta');
  };

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setResult(null);
    try {
      const r = await dataApi.load({
        file,
        entity: entityName,
        mode,
        source: source.trim() || undefined,
        rejectThreshold: thresholdPct / 100,
        // Every header is sent: one set to "not loaded" must not be picked up by its alias on the server.
        columns:
          isCsv && preview
            ? Object.fromEntries(preview.headers.map((h) => [h, mapping[h] ?? IGNORE]))
            : undefined,
        values: isCsv && preview ? chosenValues(valueMap, unknownValues) : undefined,
      });
      setResult({
        ok: true,
        text: t('data.loaded', {
          read: r.rows_read,
          loaded: r.rows_loaded,
          unchanged: r.rows_unchanged,
          rejected: r.rows_rejected,
          closed: r.rows_closed,
        }),
      });
      message.success(t('data.status.ok'));
    } catch (err) {
      setResult({ ok: false, text: t('data.failed', { error: errorMessage(err, t) }) });
    } finally {
      setBusy(false);
      history.reload();
    }
  };

  const fieldOptions = useMemo(
    () => [
      { value: IGNORE, label: t('data.preview.ignore') },
      ...(entity?.fields ?? []).map((f) => ({
        value: f.key,
        label: `${f.zh} (${f.key})${f.required ? ' *' : ''}`,
      })),
    ],
    [entity, t],
  );

  const mappedFields = (entity?.fields ?? []).filter((f) => Object.values(mapping).includes(f.key));
  const headerOf = (key: string) => Object.keys(mapping).find((h) => mapping[h] === key) ?? '';

  const columns: ColumnsType<DataLoad> = [
    { title: t('data.col.id'), dataIndex: 'id', width: 64 },
    {
      title: t('data.col.entity'),
      dataIndex: 'entity',
      width: 100,
      render: (v: string) => entities.data?.find((e) => e.name === v)?.zh ?? v,
    },
    { title: t('data.col.source'), dataIndex: 'source', width: 130, ellipsis: true },
    { title: t('data.col.file'), dataIndex: 'file_name', width: 160, ellipsis: true, render: orDash },
    {
      title: t('data.col.status'),
      dataIndex: 'status',
      width: 90,
      render: (v: DataLoad['status'], r) => (
        <Tag color={v === 'ok' ? 'green' : v === 'failed' ? 'red' : 'blue'} title={r.error ?? undefined}>
          {t(`data.status.${v}` as MessageKey)}
        </Tag>
      ),
    },
    {
      title: t('data.col.rows'),
      key: 'rows',
      width: 200,
      render: (_: unknown, r) => (
        <span className="mf-num" data-testid={`load-rows-${r.id}`}>
          {r.rows_read} / {r.rows_loaded} / {r.rows_unchanged} / {r.rows_rejected} / {r.rows_closed}
        </span>
      ),
    },
    {
      title: t('dataq.col.events'),
      dataIndex: 'events_emitted',
      width: 90,
      align: 'right',
      render: (v: number, r) => (
        <span className="mf-num" title={t('dataq.events.help')} data-testid={`load-events-${r.id}`}>
          {r.entity === 'transactions' ? v : '—'}
        </span>
      ),
    },
    {
      title: t('data.col.duration'),
      dataIndex: 'duration_ms',
      width: 90,
      render: (v: number | null) => (v == null ? '—' : `${(v / 1000).toFixed(1)} s`),
    },
    { title: t('data.col.user'), dataIndex: 'username', width: 90, render: orDash },
    {
      title: t('data.col.started'),
      dataIndex: 'started_at',
      width: 160,
      render: (v: string) => <span className="mf-num">{formatDateTime(v)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 130,
      render: (_: unknown, r) =>
        r.rows_rejected > 0 ? (
          <Button
            type="link"
            size="small"
            icon={<DownloadOutlined />}
            data-testid={`load-rejects-${r.id}`}
            onClick={() => dataApi.downloadRejects(r.id).catch((err) => message.error(errorMessage(err, t)))}
          >
            {t('data.rejects')}
          </Button>
        ) : null,
    },
  ];

  const loadsTab = (
    <>
      {entities.error ? <ErrorAlert error={entities.error} onRetry={entities.reload} /> : null}
      <Card title={t('data.upload.title')} size="small" style={{ marginBottom: 16 }}>
        <Form layout="inline" style={{ rowGap: 12 }}>
          <Form.Item label={t('data.entity')}>
            <Select
              style={{ width: 160 }}
              value={entityName}
              onChange={chooseEntity}
              data-testid="data-entity"
              options={(entities.data ?? []).map((e) => ({ value: e.name, label: e.zh }))}
            />
          </Form.Item>
          <Form.Item label={t('data.mode')}>
            <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)}>
              <Radio value="delta">{t('data.mode.delta')}</Radio>
              <Radio value="full" disabled={!entity?.full_allowed}>
                {t('data.mode.full')}
              </Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item label={t('data.source')} tooltip={t('data.source.help')}>
            <Input
              style={{ width: 160 }}
              value={source}
              maxLength={64}
              onChange={(e) => setSource(e.target.value)}
              data-testid="data-source"
            />
          </Form.Item>
          <Form.Item label={t('data.threshold')} tooltip={t('data.threshold.help')}>
            <InputNumber
              style={{ width: 100 }}
              min={0}
              max={100}
              step={0.5}
              value={thresholdPct}
              addonAfter="%"
              onChange={(v) => setThresholdPct(typeof v === 'number' ? v : 1)}
              data-testid="data-threshold"
            />
          </Form.Item>
          <Form.Item label={t('data.file')} extra={t('data.file.hint')}>
            <Upload
              accept=".csv,.txt,.tsv,.parquet,.jsonl,.ndjson,.json"
              maxCount={1}
              showUploadList={file ? { showRemoveIcon: false } : false}
              fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
              beforeUpload={(f) => {
                void pickFile(f);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} data-testid="data-file">
                {t('data.file.pick')}
              </Button>
            </Upload>
          </Form.Item>
        </Form>
        {file && !isCsv && <Alert style={{ marginTop: 12 }} type="info" showIcon message={t('data.preview.none')} />}
        {preview && entity && (
          <div style={{ marginTop: 12 }}>
            <Typography.Text strong>{t('data.preview.title', { n: preview.rows.length })}</Typography.Text>
            <Table
              size="small"
              pagination={false}
              scroll={{ x: true }}
              rowKey={(_, i) => String(i)}
              data-testid="data-preview"
              style={{ marginTop: 8 }}
              columns={preview.headers.map((h, i) => ({
                key: `${i}`,
                title: h,
                render: (_: unknown, row: string[]) => row[i] ?? '',
              }))}
              dataSource={preview.rows}
            />
            <Table
              size="small"
              pagination={false}
              rowKey="header"
              style={{ marginTop: 12, maxWidth: 720 }}
              dataSource={preview.headers.map((h, i) => ({ header: h, sample: preview.rows[0]?.[i] ?? '' }))}
              columns={[
                { title: t('data.preview.column'), dataIndex: 'header', width: 200 },
                { title: t('data.preview.sample'), dataIndex: 'sample', ellipsis: true },
                {
                  title: t('data.preview.field'),
                  key: 'field',
                  width: 240,
                  render: (_: unknown, r: { header: string }) => (
                    <Select
                      size="small"
                      showSearch
                      optionFilterProp="label"
                      style={{ width: '100%' }}
                      value={mapping[r.header] ?? IGNORE}
                      options={fieldOptions}
                      data-testid={`map-${r.header}`}
                      onChange={(v: string) => {
                        const next = { ...mapping };
                        if (v === IGNORE) delete next[r.header];
                        else {
                          for (const k of Object.keys(next)) if (next[k] === v) delete next[k];
                          next[r.header] = v;
                        }
                        setMapping(next);
                      }}
                    />
                  ),
                },
              ]}
            />
            <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
              {t('data.preview.mapped')}
            </Typography.Text>
            <Table
              size="small"
              pagination={false}
              scroll={{ x: true }}
              rowKey={(_, i) => String(i)}
              data-testid="data-mapped"
              style={{ marginTop: 8 }}
              columns={mappedFields.map((f) => ({
                key: f.key,
                title: (
                  <span title={f.pii ? t('data.pii') : undefined}>
                    {f.zh}
                    {f.required && <Typography.Text type="danger"> *</Typography.Text>}
                  </span>
                ),
                render: (_: unknown, row: string[]) => row[preview.headers.indexOf(headerOf(f.key))] ?? '',
              }))}
              dataSource={preview.rows}
            />
            {unknownValues.length > 0 && (
              <div style={{ marginTop: 12 }} data-testid="data-values">
                <Typography.Text strong>{t('identity.values.title')}</Typography.Text>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                  {t('identity.values.help')}
                </Typography.Paragraph>
                {unknownValues.map((u) => {
                  const f = entity.fields.find((x) => x.key === u.field);
                  return u.values.map((v) => (
                    <div key={`${u.field}-${v}`} style={{ marginBottom: 6 }}>
                      <Typography.Text style={{ display: 'inline-block', width: 220 }}>
                        {f?.zh ?? u.field}：{v}
                      </Typography.Text>
                      <Select
                        size="small"
                        allowClear
                        style={{ width: 200 }}
                        placeholder={t('identity.values.pick')}
                        value={valueMap[u.field]?.[v] || undefined}
                        options={(f?.choices ?? []).map((c) => ({ value: c, label: c }))}
                        data-testid={`value-${u.field}-${v}`}
                        onChange={(c?: string) =>
                          setValueMap({ ...valueMap, [u.field]: { ...(valueMap[u.field] ?? {}), [v]: c ?? '' } })
                        }
                      />
                    </div>
                  ));
                })}
              </div>
            )}
            {missing.length > 0 && (
              <Alert
                style={{ marginTop: 12 }}
                type="warning"
                showIcon
                data-testid="data-missing"
                message={t('data.preview.missing', {
                  fields: missing.map((k) => entity.fields.find((f) => f.key === k)?.zh ?? k).join('、'),
                })}
              />
            )}
          </div>
        )}
        <div style={{ marginTop: 12 }}>
          <Button
            type="primary"
            onClick={submit}
            loading={busy}
            disabled={!file || missing.length > 0}
            data-testid="data-load"
          >
            {t('data.load')}
          </Button>
        </div>
        {result && (
          <Alert
            style={{ marginTop: 12 }}
            type={result.ok ? 'success' : 'error'}
            showIcon
            message={result.text}
            data-testid="data-result"
          />
        )}
      </Card>
      <Card title={t('data.history.title')} size="small">
        {history.error ? <ErrorAlert error={history.error} onRetry={history.reload} /> : null}
        <Table
          size="small"
          rowKey="id"
          loading={history.loading}
          columns={columns}
          dataSource={history.data?.items ?? []}
          pagination={false}
          scroll={{ x: 1200 }}
        />
      </Card>
    </>
  );

  return (
    <>
      <PageHeader title={t('data.title')} subtitle={t('data.subtitle')} />
      <Tabs
        defaultActiveKey="loads"
        destroyInactiveTabPane
        items={[
          { key: 'loads', label: t('dataq.tab.loads'), children: loadsTab },
          { key: 'quality', label: t('dataq.tab.quality'), children: <DataQualityTab /> },
        ]}
      />
    </>
  );
}
