import { Skeleton, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { setsApi, type SetSegment } from '../../api/ml';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { useI18n } from '../../i18n';

/** A set's segments counted inside the viewer's scope (loaded when the row is expanded: counting costs a query each). */
export function SetDetail({ setId }: { setId: number }) {
  const { t } = useI18n();
  const detail = useApi((signal) => setsApi.get(setId, signal), [setId]);
  if (detail.error !== undefined) return <ErrorAlert error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return <Skeleton active paragraph={{ rows: 2 }} />;
  const s = detail.data;
  return (
    <div data-testid={`set-detail-${setId}`} style={{ maxWidth: 720 }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {s.owned ? t('sets.scoped.owned') : t('sets.scoped.received', { org: s.owner_org })}
      </Typography.Paragraph>
      <Table<SetSegment>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={s.segments}
        columns={[
          {
            title: t('sets.col.segments'),
            dataIndex: 'name',
            render: (name: string, g) => <Link to={`/insight/segments/${g.id}`}>{name}</Link>,
          },
          {
            title: t('seg.kindLabel'),
            dataIndex: 'kind',
            width: 100,
            render: (k: string) => <Tag>{k === 'static' ? t('seg.static') : t('seg.dynamic')}</Tag>,
          },
          {
            title: t('sets.scoped.col.count'),
            dataIndex: 'count',
            width: 140,
            align: 'right',
            render: (n: number | null, g) => (
              <span className="mf-num" data-testid={`set-count-${setId}-${g.id}`} data-count={n ?? ''}>
                {n === null ? '—' : n.toLocaleString('en-US')}
              </span>
            ),
          },
        ]}
      />
    </div>
  );
}
