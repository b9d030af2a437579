import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Space, Typography } from 'antd';
import type { WriteKeyCreated } from '../api/types';
import { useT } from '../i18n';
import { copyText } from './clipboard';

/** Shows a newly created write key exactly once. */
export function KeyCreatedModal({ created, onClose }: { created: WriteKeyCreated | null; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();

  const copy = async () => {
    if (!created) return;
    if (await copyText(created.key)) message.success(t('common.copied'));
    else message.warning(t('common.copyFailed'));
  };

  return (
    <Modal
      open={!!created}
      title={t('admin.keys.createdTitle')}
      closable={false}
      maskClosable={false}
      keyboard={false}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose} data-testid="key-created-close">
          {t('admin.keys.savedIt')}
        </Button>
      }
      width={560}
    >
      {created && (
        <Space orientation="vertical" size={12} style={{ width: '100%' }}>
          <Alert type="warning" showIcon title={t('admin.keys.onceWarning')} />
          <Typography.Text type="secondary">
            {created.name} · {created.prefix}
          </Typography.Text>
          <code className="mf-secret" data-testid="key-created-value">
            {created.key}
          </code>
          <Button icon={<CopyOutlined />} onClick={copy} data-testid="key-copy">
            {t('common.copy')}
          </Button>
        </Space>
      )}
    </Modal>
  );
}
