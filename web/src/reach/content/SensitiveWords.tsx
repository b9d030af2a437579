import { DeleteOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { errorMessage } from '../../api/errors';
import { useI18n } from '../../i18n';
import { useApi } from '../../common/useApi';
import { ErrorAlert } from '../../common/ErrorAlert';
import { contentApi, type SensitiveWord } from './api';
import { saveError } from './labels';

/** The sensitive-word list: everyone sees it, administrators change it (each change audited by the server). */
export function SensitiveWords({ open, admin, onClose }: { open: boolean; admin: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi((signal) => (open ? contentApi.words(signal) : Promise.resolve([])), [open]);
  const [form] = Form.useForm<{ word: string; exceptions?: string[] }>();

  const add = async () => {
    const v = await form.validateFields();
    try {
      await contentApi.addWord({ word: v.word.trim(), exceptions: v.exceptions ?? [] });
      message.success(t('content.words.added'));
      form.resetFields();
      reload();
    } catch (err) {
      message.error(saveError(t, err, undefined, (e) => errorMessage(e, t)));
    }
  };

  const remove = async (w: SensitiveWord) => {
    try {
      await contentApi.removeWord(w.id);
      message.success(t('content.words.removed'));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  return (
    <Modal open={open} onCancel={onClose} footer={null} width={640} title={t('content.words.title')}>
      <Typography.Paragraph type="secondary">{t('content.words.subtitle')}</Typography.Paragraph>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      {admin ? (
        <Form form={form} layout="inline" style={{ marginBottom: 12 }}>
          <Form.Item name="word" rules={[{ required: true, whitespace: true, message: t('content.words.word') }]}>
            <Input placeholder={t('content.words.word')} maxLength={32} data-testid="content-word" />
          </Form.Item>
          <Form.Item name="exceptions">
            <Select mode="tags" style={{ width: 240 }} placeholder={t('content.words.exceptions')} open={false} />
          </Form.Item>
          <Button type="primary" onClick={add} data-testid="content-word-add">
            {t('content.words.add')}
          </Button>
        </Form>
      ) : (
        <Typography.Paragraph type="secondary">{t('content.words.adminOnly')}</Typography.Paragraph>
      )}
      <Table<SensitiveWord>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        columns={[
          { title: t('content.words.word'), dataIndex: 'word', render: (w: string) => <Tag color="red">{w}</Tag> },
          {
            title: t('content.words.exceptions'),
            dataIndex: 'exceptions',
            render: (xs: string[]) => <Space size={[4, 4]} wrap>{xs.map((x) => <Tag key={x}>{x}</Tag>)}</Space>,
          },
          ...(admin
            ? [{
                title: t('common.actions'),
                key: 'actions',
                width: 80,
                render: (_: unknown, w: SensitiveWord) => (
                  <Popconfirm title={t('content.words.confirmRemove', { word: w.word })} onConfirm={() => remove(w)}>
                    <Button size="small" type="link" danger icon={<DeleteOutlined />} aria-label={t('content.words.confirmRemove', { word: w.word })} />
                  </Popconfirm>
                ),
              }]
            : []),
        ]}
      />
    </Modal>
  );
}
