import { Alert, Button } from 'antd';
import { errorMessage } from '../api/errors';
import { useT } from '../i18n';

/** Inline error for a failed load, with a retry button. */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  return (
    <Alert
      type="error"
      showIcon
      title={t('common.errorTitle')}
      description={errorMessage(error, t)}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )
      }
      style={{ marginBottom: 16 }}
    />
  );
}
