import { ExclamationCircleOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useT } from '../i18n';
import { formatDateTime } from './format';

/** A red 计算失败 tag whose tooltip says why the last scheduled computation failed and when; nothing if it ran. */
export function FailureTag({ error, at, testId }: { error: string | null | undefined; at?: string | null; testId?: string }) {
  const t = useT();
  if (!error) return null;
  const tip = at ? `${t('input.failedTip', { error })}（${formatDateTime(at)}）` : t('input.failedTip', { error });
  return (
    <Tooltip title={tip}>
      <Tag color="red" icon={<ExclamationCircleOutlined />} data-testid={testId} aria-label={tip} style={{ marginInlineStart: 6 }}>
        {t('input.failed')}
      </Tag>
    </Tooltip>
  );
}
