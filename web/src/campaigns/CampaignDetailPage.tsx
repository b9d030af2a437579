import { App, Button, Card, Descriptions, Popconfirm, Space, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../api/errors';
import { useAuth } from '../auth/context';
import { PERM_CAMPAIGN_EDIT } from '../auth/me';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { campaignsApi, type CampaignAction } from './api';
import { ApprovalCard, ChecksView, useParamLabels } from './ApprovalsInbox';
import { STATUS_COLORS } from './CampaignsPage';
import { BenefitsBurnCard } from './detail/BenefitsBurnCard';
import { InvitesCard } from './detail/InvitesCard';
import { ParticipationFunnel } from './detail/ParticipationFunnel';
import { actionsFor, ck, labelledParams, show } from './params';

const LIVE_MS = 15_000;
const INVITES = new Set(['mgm', 'loan_cashback']);

export default function CampaignDetailPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const [busy, setBusy] = useState(false);
  const campaign = useApi((signal) => campaignsApi.get(id, signal), [id]);
  const templates = useApi((signal) => campaignsApi.templates(signal), []);
  const checks = useApi((signal) => campaignsApi.checks(id, signal), [id]);
  const history = useApi((signal) => campaignsApi.history(id, signal), [id]);
  const labels = useParamLabels();
  // The live parts (funnel, burn-down, invites) refresh on this tick while the campaign runs.
  const [tick, setTick] = useState(0);
  const live = campaign.data?.status === 'running';
  useEffect(() => {
    if (!live) return undefined;
    const timer = window.setInterval(() => setTick((n) => n + 1), LIVE_MS);
    return () => window.clearInterval(timer);
  }, [live]);
  const reload = () => {
    campaign.reload();
    checks.reload();
    history.reload();
    setTick((n) => n + 1);
  };
  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      message.success(ck(t, done));
      reload();
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };
  if (campaign.error) return <ErrorAlert error={campaign.error} onRetry={reload} />;
  const c = campaign.data;
  if (!c) return null;
  const editor = can(PERM_CAMPAIGN_EDIT);
  return (
    <>
      <PageHeader title={c.name} subtitle={<Tag color={STATUS_COLORS[c.status]} data-testid="campaign-status">{ck(t, `camp.status.${c.status}`)}</Tag>}
        back={<Link to="/campaigns?tab=list">{t('camp.back')}</Link>}
        extra={editor && (
          <Space>
            {(c.status === 'draft' || c.status === 'rejected') && (
              <Button type="primary" loading={busy} data-testid="campaign-submit"
                onClick={() => run(() => campaignsApi.submit(id), 'camp.submitted')}>{t('camp.submit')}</Button>
            )}
            {actionsFor(c.status).map((a: CampaignAction) => (
              <Popconfirm key={a} title={ck(t, `camp.confirm.${a}`)} onConfirm={() => run(() => campaignsApi.act(id, a), `camp.done.${a}`)}>
                <Button loading={busy} data-testid={`campaign-${a}`}>{ck(t, `camp.action.${a}`)}</Button>
              </Popconfirm>
            ))}
          </Space>
        )} />
      <Card size="small" title={t('camp.detail.summary')} style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={2}>
          <Descriptions.Item label={t('camp.field.template')}>{c.template_name}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.org')}>{c.owner_org}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.period')}>{formatDateTime(c.starts_at)} ~ {formatDateTime(c.ends_at)}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.segment')}>{c.segment_id ?? t('camp.field.segment.all')}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.budget')}>{show(c.budget)}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.stock')}>{show(c.stock)}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.revision')}>v{c.revision}{c.approved_revision ? ` (${t('camp.field.approvedRevision', { v: c.approved_revision })})` : ''}</Descriptions.Item>
          <Descriptions.Item label={t('camp.field.strategies')}>
            <Space wrap>{c.strategy_ids.length === 0 ? '—' : c.strategy_ids.map((s) => <Link key={s} to={`/strategy/${s}`}>#{s}</Link>)}</Space>
          </Descriptions.Item>
          {c.reject_reason && <Descriptions.Item label={t('camp.field.rejectReason')}>{c.reject_reason}</Descriptions.Item>}
          <Descriptions.Item label={t('camp.wizard.params')} span={2}>
            <Space wrap size={[16, 4]}>
              {labelledParams(c.params, templates.data?.find((x) => x.id === c.template_id)?.params).map(([label, value]) => (
                <span key={label}>{label}：<code>{value}</code></span>
              ))}
            </Space>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <ParticipationFunnel campaignId={id} tick={tick} />
      <BenefitsBurnCard campaignId={id} tick={tick} />
      {INVITES.has(c.template_id) && <InvitesCard campaignId={id} tick={tick} onChange={() => setTick((n) => n + 1)} />}
      <Card size="small" title={t('camp.detail.checks')} style={{ marginBottom: 12 }}>
        {checks.data && <ChecksView checks={checks.data} />}
      </Card>
      <Card size="small" title={t('camp.detail.history')}>
        {(history.data ?? []).map((a) => <ApprovalCard key={a.id} a={a} onDone={reload} labels={labels} />)}
      </Card>
    </>
  );
}
