import { Typography } from 'antd';
import type { ReactNode } from 'react';

/** Title row of a page: title, optional subtitle on the left, actions on the right. */
export function PageHeader({
  title,
  subtitle,
  extra,
  back,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  extra?: ReactNode;
  back?: ReactNode;
}) {
  return (
    <div className="mf-page-header">
      <div className="mf-page-header-main">
        {back}
        <div>
          <Typography.Title level={4} className="mf-page-title">
            {title}
          </Typography.Title>
          {subtitle && <Typography.Text type="secondary">{subtitle}</Typography.Text>}
        </div>
      </div>
      {extra && <div className="mf-page-header-extra">{extra}</div>}
    </div>
  );
}
