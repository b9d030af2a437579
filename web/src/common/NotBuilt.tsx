import { ToolOutlined } from '@ant-design/icons';
import { Button, Card, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useT } from '../i18n';

export type UnbuiltModule = 'tags' | 'segments' | 'strategy' | 'campaigns' | 'reach' | 'monitor' | 'analytics';

/** Placeholder for a centre that has no backend yet. It shows no numbers and no charts on purpose. */
export default function NotBuilt({ module }: { module: UnbuiltModule }) {
  const t = useT();
  const navigate = useNavigate();
  return (
    <Card variant="borderless" className="mf-card">
      <Result
        icon={<ToolOutlined style={{ color: '#8c8c8c' }} />}
        title={t('notBuilt.title')}
        subTitle={t(`notBuilt.${module}` as const)}
        extra={
          <Button onClick={() => navigate('/insight/customers')}>{t('notBuilt.backToCustomers')}</Button>
        }
        data-testid="not-built"
      />
    </Card>
  );
}
