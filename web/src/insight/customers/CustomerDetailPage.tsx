import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Col, Result, Row, Skeleton, Space, Tag } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { customersApi } from '../../api/endpoints';
import { isApiError } from '../../api/errors';
import { PERM_PII_UNMASK } from '../../auth/me';
import { useAuth } from '../../auth/context';
import { ErrorAlert } from '../../common/ErrorAlert';
import { PageHeader } from '../../common/PageHeader';
import { useApi } from '../../common/useApi';
import { useT } from '../../i18n';
import { AumTrendCard } from './AumTrendCard';
import { EventTimelineCard } from './EventTimelineCard';
import { HoldingsCard } from './HoldingsCard';
import { JourneysCard } from './JourneysCard';
import { ProfileCard } from './ProfileCard';
import { TransactionsCard } from './TransactionsCard';

/** Keyed by id so that nothing of one customer is ever shown while another loads. */
export default function CustomerDetailPage() {
  const { id = '' } = useParams();
  return <CustomerDetail key={id} id={id} />;
}

function CustomerDetail({ id }: { id: string }) {
  const t = useT();
  const navigate = useNavigate();
  const { can } = useAuth();
  const { modal } = App.useApp();
  const [unmask, setUnmask] = useState(false);
  const { data, error, loading, reload } = useApi(
    (signal) => customersApi.get(id, unmask, signal),
    [id, unmask],
    { keepPrevious: true },
  );

  const back = (
    <Button
      type="text"
      icon={<ArrowLeftOutlined />}
      onClick={() => (window.history.length > 1 ? navigate(-1) : navigate('/insight/customers'))}
      aria-label={t('detail.backToList')}
    />
  );

  if (isApiError(error) && (error.status === 404 || error.status === 403)) {
    return (
      <Result
        status="warning"
        title={t('detail.forbidden')}
        subTitle={t('detail.forbiddenSub')}
        extra={<Button onClick={() => navigate('/insight/customers')}>{t('detail.backToList')}</Button>}
        data-testid="customer-forbidden"
      />
    );
  }

  const confirmUnmask = () =>
    modal.confirm({
      title: t('detail.unmaskConfirmTitle'),
      content: t('detail.unmaskConfirm'),
      okText: t('detail.unmask'),
      cancelText: t('common.cancel'),
      onOk: () => setUnmask(true),
    });

  const profile = data?.profile;
  return (
    <>
      <PageHeader
        back={back}
        title={
          <Space size={8}>
            <span>{profile?.name ?? t('detail.title')}</span>
            <span className="mf-mono" style={{ fontWeight: 400, fontSize: 14 }}>
              {id}
            </span>
            {profile?.tier && <Tag color="gold">{profile.tier}</Tag>}
          </Space>
        }
        extra={
          <Button icon={<ReloadOutlined />} onClick={reload} loading={loading && !!data}>
            {t('common.refresh')}
          </Button>
        }
      />
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      {!data && loading && <Skeleton active paragraph={{ rows: 10 }} />}
      {data && profile && (
        <>
          {!profile.masked && (
            <Alert type="warning" showIcon title={t('detail.unmaskedNotice')} style={{ marginBottom: 12 }} data-testid="unmask-notice" />
          )}
          <ProfileCard
            profile={profile}
            canUnmask={can(PERM_PII_UNMASK)}
            unmaskRequested={unmask}
            loading={loading}
            onUnmask={confirmUnmask}
            onRemask={() => setUnmask(false)}
          />
          <Row gutter={16}>
            <Col xs={24} xl={14}>
              <AumTrendCard points={data.aum_trend} />
            </Col>
            <Col xs={24} xl={10}>
              <EventTimelineCard
                key={`${id}:${data.profile.masked}`}
                customerId={id}
                initial={data.recent_events}
                unmasked={!data.profile.masked}
              />
            </Col>
          </Row>
          <JourneysCard customerId={id} />
          <HoldingsCard holdings={data.holdings} />
          <TransactionsCard transactions={data.transactions} />
        </>
      )}
    </>
  );
}
