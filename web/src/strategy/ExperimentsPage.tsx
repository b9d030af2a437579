import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Collapse, Empty, Space, Spin, Table, Tag, Typography, type ButtonProps } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link, useNavigate, useParams } from 'react-router';
import { errorMessage } from '../api/errors';
import { PERM_STRATEGY_PUBLISH, strategyApi } from '../api/strategy';
import { useAuth } from '../auth/context';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatDateTime } from '../common/format';
import { PageHeader } from '../common/PageHeader';
import { useApi } from '../common/useApi';
import { useI18n } from '../i18n';
import { pValue, sampleNote, srmLine, verdict, withInterval } from './experimentFormat';
import { experimentsApi, type ArmRead, type ExperimentRead, type SrmRead } from './experimentsApi';
import { tk } from './labels';

const VERDICT_COLORS = { up: 'green', down: 'red', no: 'default' } as const;

function SrmAlert({ srm, testId }: { srm: SrmRead; testId: string }) {
  const { t } = useI18n();
  const line = srmLine(srm);
  return (
    <Alert type={line.bad ? 'error' : 'success'} showIcon data-testid={testId} title={tk(t, line.key, line.params)}
      style={{ marginBottom: 12 }} />
  );
}

function ArmTable({ exp, arms, promote, testId }: {
  exp: ExperimentRead; arms: ArmRead[]; promote?: (arm: ArmRead) => void; testId: string;
}) {
  const { t } = useI18n();
  const armName = (a: ArmRead) => (exp.kind === 'holdout' ? tk(t, `xr.arm.${a.variant}`) : a.variant);
  const columns: ColumnsType<ArmRead> = [
    {
      title: t('xr.col.variant'), dataIndex: 'variant', render: (_: string, a) => (
        <Space size={4}>
          <span>{armName(a)}</span>
          {a.control && <Tag>{t('xr.control')}</Tag>}
          {exp.winner === a.variant && <Tag color="gold">{tk(t, 'xr.winner', { variant: a.variant })}</Tag>}
        </Space>
      ),
    },
    { title: t('xr.col.percent'), dataIndex: 'percent', align: 'right', render: (v: number) => `${v}%` },
    { title: t('xr.col.entered'), dataIndex: 'entered', align: 'right', render: (v: number) => v.toLocaleString('en-US') },
    { title: t('xr.col.converted'), dataIndex: 'converted', align: 'right', render: (v: number) => v.toLocaleString('en-US') },
    { title: t('xr.col.rate'), key: 'rate', align: 'right', render: (_: unknown, a) => withInterval(a.rate, a.rate_lower, a.rate_upper) },
    {
      title: t('xr.col.diff'), key: 'diff', align: 'right',
      render: (_: unknown, a) => (a.control ? '—' : withInterval(a.difference, a.difference_lower, a.difference_upper, true)),
    },
    {
      title: t('xr.col.lift'), key: 'lift', align: 'right',
      render: (_: unknown, a) => (a.control ? '—' : withInterval(a.lift, a.lift_lower, a.lift_upper, true)),
    },
    { title: t('xr.col.p'), dataIndex: 'p_value', align: 'right', render: (p: number | null) => pValue(p) },
    {
      title: t('xr.col.result'), key: 'result', render: (_: unknown, a) => {
        const v = verdict(a);
        if (v === 'none') return a.control || a.test_code === 'ok' ? '—' : tk(t, `xr.test.${a.test_code}`);
        return <Tag color={VERDICT_COLORS[v]} data-testid={`xr-verdict-${a.variant}`}>{tk(t, `xr.sig.${v}`)}</Tag>;
      },
    },
    {
      title: t('xr.col.note'), key: 'note', render: (_: unknown, a) => {
        const note = sampleNote(a);
        return note ? <Typography.Text type={a.sample_note === 'ok' ? 'secondary' : 'warning'}>{tk(t, note.key, note.params)}</Typography.Text> : '—';
      },
    },
  ];
  if (promote) {
    columns.push({
      title: t('common.actions'), key: 'promote', render: (_: unknown, a) =>
        exp.winner === a.variant ? null : (
          <Button size="small" onClick={() => promote(a)} data-testid={`xr-promote-${exp.node_id}-${a.variant}`}>{t('xr.promote')}</Button>
        ),
    });
  }
  return <Table rowKey="variant" size="small" pagination={false} columns={columns} dataSource={arms} data-testid={testId} scroll={{ x: true }} />;
}

/** 实验结果: every AB split of a strategy and its holdout, counted within the viewer's data scope; promote a winner. */
export default function ExperimentsPage() {
  const { t } = useI18n();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const sid = Number(useParams().id);
  const strategy = useApi((signal) => strategyApi.get(sid, signal), [sid]);
  const results = useApi((signal) => experimentsApi.results(sid, signal), [sid]);
  const mayPromote = can(PERM_STRATEGY_PUBLISH);

  const promote = (exp: ExperimentRead, arm: ArmRead) => {
    const node = exp.title || exp.node_id || '';
    modal.confirm({
      title: tk(t, 'xr.promote.title', { variant: arm.variant }),
      content: (
        <div>
          <p>{tk(t, 'xr.promote.body', { node, variant: arm.variant })}</p>
          {exp.srm.mismatch && <Alert type="error" title={t('xr.promote.warnSrm')} />}
          {!arm.control && !arm.significant && <Alert type="warning" title={t('xr.promote.warnNotSig')} />}
        </div>
      ),
      okText: t('xr.promote.ok'),
      okButtonProps: { 'data-testid': 'xr-promote-confirm' } as ButtonProps,
      onOk: async () => {
        try {
          const res = await experimentsApi.promote(sid, exp.node_id ?? '', arm.variant);
          message.success(tk(t, 'xr.promote.done', { variant: arm.variant, version: res.version }));
          results.reload();
          strategy.reload();
        } catch (err) {
          message.error(errorMessage(err, t));
        }
      },
    });
  };

  const name = strategy.data?.name ?? '';
  const data = results.data;
  return (
    <div>
      <PageHeader
        title={t('xr.title')}
        subtitle={tk(t, 'xr.subtitle', { name })}
        back={<Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/strategy')} aria-label={t('common.back')} />}
        extra={<Link to={`/strategy/${sid}`}><Button>{t('strategy.backToEditor')}</Button></Link>}
      />
      {results.error ? <ErrorAlert error={results.error} onRetry={results.reload} /> : null}
      {results.loading && !data ? <Spin /> : null}
      {data && data.experiments.length === 0 && (
        <Card><Empty description={t(data.published_version ? 'xr.none' : 'xr.notPublished')} /></Card>
      )}
      {data?.experiments.map((exp) => {
        const key = exp.node_id ?? 'holdout';
        const title = exp.kind === 'holdout' ? t('xr.holdout') : tk(t, 'xr.node', { title: exp.title || exp.node_id || '' });
        return (
          <Card key={key} title={title} style={{ marginBottom: 16 }} data-testid={`xr-card-${key}`}
            extra={<Typography.Text type="secondary">{tk(t, 'xr.versions', { versions: exp.versions.map((v) => `v${v}`).join('、') })}</Typography.Text>}>
            <SrmAlert srm={exp.srm} testId={`xr-srm-${key}`} />
            <ArmTable exp={exp} arms={exp.arms} testId={`xr-table-${key}`}
              promote={exp.kind === 'ab_split' && mayPromote ? (arm) => promote(exp, arm) : undefined} />
            {exp.branches.length > 0 && (
              <Collapse style={{ marginTop: 12 }} items={[{
                key: 'branches', label: t('xr.branches'), children: exp.branches.map((b) => (
                  <div key={b.org_code ?? '-'} style={{ marginBottom: 12 }}>
                    <Typography.Text strong>{b.org_name ?? b.org_code ?? t('xr.branch.unknown')}</Typography.Text>
                    <ArmTable exp={exp} arms={b.arms} testId={`xr-branch-${key}-${b.org_code ?? 'unknown'}`} />
                  </div>
                )),
              }]} />
            )}
            {exp.promotions.length > 0 && (
              <div style={{ marginTop: 12 }} data-testid={`xr-promotions-${key}`}>
                <Typography.Text strong>{t('xr.promotions')}</Typography.Text>
                {exp.promotions.map((p) => (
                  <div key={p.id}>
                    {tk(t, 'xr.promotion', { at: formatDateTime(p.promoted_at), who: p.promoted_by ?? '', variant: p.variant, from: p.previous_version ?? '', to: p.version })}
                  </div>
                ))}
              </div>
            )}
          </Card>
        );
      })}
    </div>
  );
}
