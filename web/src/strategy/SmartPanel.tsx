import { Alert, App, Button, Descriptions, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { DraftNode } from '../api/strategy';
import { errorMessage } from '../api/errors';
import { useI18n } from '../i18n';
import { smartApi, type PropensityRead } from './smartApi';

function when(iso: string | null, lang: string): string {
  return iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', { hour12: false }) : '—';
}

/** 高潜筛选: the target event's propensity model — held-out AUC, when trained, customers scored — and 训练. */
function PropensityModel({ event }: { event: string }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<PropensityRead | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [training, setTraining] = useState(false);

  const load = useCallback(
    (signal?: AbortSignal) =>
      smartApi.propensity(event, signal).then(
        (s) => {
          setStatus(s);
          setError(null);
        },
        (err) => {
          if (!signal?.aborted) {
            setStatus(null);
            setError(errorMessage(err, t));
          }
        },
      ),
    [event, t],
  );

  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);

  const train = () => {
    setTraining(true);
    smartApi.train(event).then(
      (s) => {
        setStatus(s);
        setError(null);
        message.success(t('smart.trained'));
      },
      (err) => message.error(errorMessage(err, t)),
    ).finally(() => setTraining(false));
  };

  const m = status?.metrics;
  return (
    <div data-testid="smart-propensity" className="mf-panel-row">
      <Typography.Title level={5}>{t('smart.model.title')}</Typography.Title>
      {error && <Alert type="warning" showIcon message={error} style={{ marginBottom: 8 }} />}
      {status && !status.trained && <Typography.Paragraph type="secondary">{t('smart.model.untrained')}</Typography.Paragraph>}
      {status?.trained && (
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t('smart.model.auc')}>
            <span data-testid="smart-auc">{m ? (m.auc === null ? '—' : m.auc.toFixed(3)) : t('smart.model.hqOnly')}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('smart.model.trainedAt')}>{when(status.trained_at, lang)}</Descriptions.Item>
          {m && (
            <>
              <Descriptions.Item label={t('smart.model.samples')}>
                {t('smart.model.samplesValue', { train: m.train_rows, holdout: m.holdout_rows })}
              </Descriptions.Item>
              <Descriptions.Item label={t('smart.model.positiveRate')}>
                {t('smart.model.positiveRateValue', { rate: (m.positive_rate * 100).toFixed(1), days: m.window_days })}
              </Descriptions.Item>
              <Descriptions.Item label={t('smart.model.lift')}>{m.lift_top10.toFixed(2)}</Descriptions.Item>
            </>
          )}
          <Descriptions.Item label={t('smart.model.scored')}>
            {t('smart.model.scoredValue', { scored: status.scored, customers: status.customers })}
          </Descriptions.Item>
        </Descriptions>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, fontSize: 12 }}>
        {t('smart.model.hint')}
      </Typography.Paragraph>
      <Button data-testid="smart-train" loading={training} onClick={train}>
        {t('smart.train')}
      </Button>
    </div>
  );
}

/** 最佳时机: how many customers in the viewer's scope have a known best hour (the rest wait for the default). */
function BestTimeCoverage() {
  const { t } = useI18n();
  const [counts, setCounts] = useState<{ customers: number; known: number } | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    smartApi.bestTime(ctl.signal).then(setCounts, () => setCounts(null));
    return () => ctl.abort();
  }, []);
  if (!counts) return null;
  return (
    <div data-testid="smart-best-time" className="mf-panel-row">
      <Typography.Paragraph type="secondary">
        {t('smart.bestTime.known', { known: counts.known, customers: counts.customers })}
      </Typography.Paragraph>
    </div>
  );
}

/** The model behind a smart node (智能): nothing for other nodes. */
export function SmartPanel({ node }: { node: DraftNode }) {
  if (node.type === 'propensity') {
    const event = typeof node.target_event === 'string' ? node.target_event : '';
    return event ? <PropensityModel key={event} event={event} /> : null;
  }
  if (node.type === 'best_time') return <BestTimeCoverage />;
  return null;
}
