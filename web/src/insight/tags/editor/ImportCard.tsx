/** CSV upload of an imported tag's values (customer_id,value lines) and the import report: accepted and rejected rows. */
import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Statistic, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { errorMessage } from '../../../api/errors';
import { tagsApi, type ImportReport } from '../../../api/insight';
import { useI18n, type MessageKey } from '../../../i18n';
import { importReason } from './fields';

export function ImportCard({ tagId, onImported }: { tagId: number; onImported: () => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport>();
  const [error, setError] = useState<string>();
  const upload = async (file: File) => {
    setBusy(true);
    setError(undefined);
    setReport(undefined);
    try {
      setReport(await tagsApi.importValues(tagId, file));
      onImported();
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('tagEditor.import.title')} data-testid="tag-import">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('tagEditor.import.hint')}</Typography.Text>
        <Upload
          accept=".csv,text/csv"
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return false; // uploaded by us, with the bearer token
          }}
        >
          <Button icon={<UploadOutlined />} loading={busy} data-testid="tag-import-upload">
            {t('tagEditor.import.button')}
          </Button>
        </Upload>
        {error && <Alert type="error" showIcon title={error} data-testid="tag-import-error" />}
        {report && (
          <div data-testid="tag-import-report">
            <Space size={32}>
              <Statistic title={t('tagEditor.import.accepted')} value={report.accepted} valueStyle={{ color: '#389e0d' }} />
              <Statistic title={t('tagEditor.import.rejected')} value={report.rejected} valueStyle={{ color: report.rejected ? '#cf1322' : undefined }} />
              <Statistic title={t('tags.col.coverage')} value={(report.run.coverage * 100).toFixed(1)} suffix="%" />
            </Space>
            {report.rejects.length > 0 && (
              <Table
                size="small"
                rowKey={(r, i) => `${r.line}-${r.value}-${i}`}
                dataSource={report.rejects}
                pagination={report.rejects.length > 10 ? { pageSize: 10, size: 'small' } : false}
                style={{ marginTop: 12 }}
                columns={[
                  { title: t('tagEditor.import.line'), dataIndex: 'line', width: 80, render: (n: number) => (n > 0 ? n : '—') },
                  { title: t('tagEditor.import.value'), dataIndex: 'value' },
                  {
                    title: t('tagEditor.import.reason'),
                    dataIndex: 'reason',
                    render: (reason: string) => {
                      const known = importReason(reason);
                      return known ? t(known.key as MessageKey, { value: known.value ?? '' }) : reason;
                    },
                  },
                ]}
                data-testid="tag-import-rejects"
              />
            )}
          </div>
        )}
      </Space>
    </Card>
  );
}
