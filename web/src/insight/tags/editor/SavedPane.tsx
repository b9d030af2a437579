/** After saving: the new version, "立即计算" for computed tags, and the run's report (coverage, duration, errors). */
import { PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Result, Space } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { tagsApi, type RunReport, type TagRead } from '../../../api/insight';
import { formatDate } from '../../../common/format';
import { useI18n } from '../../../i18n';
import { RunStatus } from '../TagListPage';

export function SavedPane({ tag, created, onEdit, onDone }: { tag: TagRead; created: boolean; onEdit: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const computed = tag.kind !== 'model' && tag.kind !== 'imported';
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<RunReport>();
  const [error, setError] = useState<string>();
  const runNow = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setReport(await tagsApi.run(tag.id));
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Result
      status="success"
      title={created ? t('tagEditor.saved.created', { name: tag.name }) : t('tagEditor.saved.version', { name: tag.name, v: tag.version })}
      subTitle={computed ? t('tagEditor.saved.runHint') : tag.kind === 'imported' ? t('tagEditor.imported.hint') : t('tagEditor.model.hint')}
      extra={
        <Space orientation="vertical" size={16} style={{ width: '100%', maxWidth: 640, textAlign: 'start' }}>
          <Space style={{ justifyContent: 'center', width: '100%' }}>
            {computed && (
              <Button type="primary" icon={<PlayCircleOutlined />} loading={running} onClick={runNow} data-testid="tag-run-now">
                {t('tags.runNow')}
              </Button>
            )}
            <Button onClick={onDone} data-testid="tag-editor-done">
              {t('tagEditor.saved.view')}
            </Button>
            <Button type="link" onClick={onEdit}>
              {t('tagEditor.saved.again')}
            </Button>
          </Space>
          {error && <Alert type="error" showIcon title={error} data-testid="tag-run-error" />}
          {report && <RunReportView report={report} />}
        </Space>
      }
      data-testid="tag-saved"
    />
  );
}

/** What a run did, tag by tag: day, status, customers and coverage, changes, time taken, errors. */
export function RunReportView({ report }: { report: RunReport }) {
  const { t } = useI18n();
  return (
    <div data-testid="tag-run-report">
      {report.runs.map((r) => (
        <Descriptions key={r.id} size="small" column={2} bordered>
          <Descriptions.Item label={t('tags.run.day')}>{formatDate(r.day)}</Descriptions.Item>
          <Descriptions.Item label={t('tags.col.status')}>
            <RunStatus run={r} />
          </Descriptions.Item>
          <Descriptions.Item label={t('tags.col.coverage')}>
            <span className="mf-num" data-testid="tag-run-coverage">
              {(r.coverage * 100).toFixed(1)}%
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('tags.run.customers')}>
            <span className="mf-num">{r.customers.toLocaleString('en-US')}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('tags.run.changed')}>
            <span className="mf-num">{r.changed.toLocaleString('en-US')}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('tags.run.duration')}>
            <span className="mf-num" data-testid="tag-run-duration">
              {t('tagEditor.run.duration', { total: report.elapsed_ms, compute: report.compute_ms ?? 0, write: report.write_ms ?? 0 })}
            </span>
          </Descriptions.Item>
          {r.error && (
            <Descriptions.Item label={t('tagEditor.run.error')} span={2}>
              <span data-testid="tag-run-error-text">{r.error}</span>
            </Descriptions.Item>
          )}
        </Descriptions>
      ))}
      {report.runs.length === 0 && <Alert type="warning" showIcon title={t('tagEditor.run.nothing')} />}
    </div>
  );
}
