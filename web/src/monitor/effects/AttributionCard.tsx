import { Card, Descriptions, Empty, InputNumber, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { ErrorAlert } from '../../common/ErrorAlert';
import { useApi } from '../../common/useApi';
import { formatMoney } from '../../common/format';
import { useI18n } from '../../i18n';
import { ATTRIBUTION_RULES, effects2Api, type AttributionRule } from './api2';

/** 多活动归因: this strategy's share of conversions that several campaigns touched, under the rule picked. */
export function AttributionCard({ strategyId, valuePerConversion }: { strategyId: number; valuePerConversion: number }) {
  const { t } = useI18n();
  const [rule, setRule] = useState<AttributionRule>('last');
  const [days, setDays] = useState(7);
  const a = useApi(
    (signal) => effects2Api.attribution(strategyId, { rule, window_days: days, value_per_conversion: valuePerConversion }, signal),
    [strategyId, rule, days, valuePerConversion],
    { keepPrevious: true },
  );
  const d = a.data;
  return (
    <Card size="small" title={t('effects2.attr')} style={{ marginBottom: 12 }} data-testid="effects-attribution">
      <Space wrap style={{ marginBottom: 8 }}>
        <span>{t('effects2.attr.rule')}</span>
        <Select value={rule} style={{ width: 150 }} onChange={setRule} options={ATTRIBUTION_RULES.map((r) => ({ value: r, label: t(`effects2.rule.${r}`) }))} />
        <span>{t('effects2.attr.window')}</span>
        <InputNumber min={1} max={90} value={days} onChange={(v) => v && setDays(v)} />
      </Space>
      {a.error !== undefined && <ErrorAlert error={a.error} onRetry={a.reload} />}
      {d && d.conversion_event === null && <Empty description={t('effects2.attr.noGoal')} />}
      {d && d.conversion_event !== null && (
        <>
          <div style={{ marginBottom: 8 }} data-testid="attribution-rule">
            {t('effects2.attr.stated', {
              rule: t(`effects2.rule.${d.rule}`),
              explain: t(`effects2.rule.${d.rule}.explain`),
              event: d.conversion_event,
              days: d.window_days,
              from: d.date_from,
              to: d.date_to,
            })}
          </div>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('effects2.attr.conversions')}>{d.conversions.toLocaleString()}</Descriptions.Item>
            <Descriptions.Item label={t('effects2.attr.touched')}>{d.attributed.toLocaleString()}</Descriptions.Item>
            <Descriptions.Item label={t('effects2.attr.credited')}>{d.credited.toLocaleString(undefined, { maximumFractionDigits: 2 })}</Descriptions.Item>
            <Descriptions.Item label={t('effects2.attr.value')}>{formatMoney(d.credited_value)}</Descriptions.Item>
          </Descriptions>
          {d.others.length > 0 && (
            <Table
              style={{ marginTop: 8 }}
              size="small"
              pagination={false}
              rowKey="key"
              dataSource={d.others}
              columns={[
                { title: t(d.by === 'campaign_id' ? 'effects2.attr.campaign' : 'effects2.attr.strategy'), dataIndex: 'key' },
                { title: t('effects2.attr.credit'), dataIndex: 'credit', align: 'right', render: (v: number) => v.toLocaleString(undefined, { maximumFractionDigits: 2 }) },
              ]}
            />
          )}
        </>
      )}
    </Card>
  );
}
