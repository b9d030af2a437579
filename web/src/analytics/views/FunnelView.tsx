import { UsergroupAddOutlined } from '@ant-design/icons';
import { Button, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { HTMLAttributes } from 'react';
import type { FunnelGroup, FunnelResult, FunnelStep } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { useI18n } from '../../i18n';
import { formatSeconds, num, pct, useEventName } from '../common';

/**
 * The result of a funnel: the funnel chart, the step table and the per-group table. `onSaveDropoffs` adds the
 * "save drop-offs as a segment" action to the step rows (the page passes it when the user may create segments).
 */
export function FunnelView({
  data,
  catalogue,
  compact,
  onSaveDropoffs,
}: {
  data: FunnelResult;
  catalogue?: Catalogue;
  compact?: boolean;
  onSaveDropoffs?: (step: number) => void;
}) {
  const { t, lang } = useI18n();
  const name = useEventName(catalogue);
  const overall = data.overall.steps;
  const option: ChartOption = {
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const s = overall[item.dataIndex];
        return s ? `${name(s.event)}<br/>${num(s.customers)} · ${pct(s.conversion_from_first)}` : '';
      },
    },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        top: 8,
        bottom: 8,
        minSize: '8%',
        gap: 2,
        label: { show: true, position: 'inside', formatter: (p) => `${p.name}  ${num(Number(p.value))}` },
        data: overall.map((s) => ({ name: `${s.step}. ${name(s.event)}`, value: s.customers })),
      },
    ],
  };

  const columns: ColumnsType<FunnelStep> = [
    { title: t('an.funnel.step'), dataIndex: 'step', width: 60 },
    { title: t('an.event'), dataIndex: 'event', render: (e: string) => name(e) },
    {
      title: t('an.funnel.customers'),
      dataIndex: 'customers',
      align: 'right',
      render: (n: number, s) => (
        <span className="mf-num" data-testid={`funnel-count-${s.step - 1}`}>
          {num(n)}
        </span>
      ),
    },
    { title: t('an.funnel.fromFirst'), dataIndex: 'conversion_from_first', align: 'right', render: (x: number) => pct(x) },
    { title: t('an.funnel.fromPrevious'), dataIndex: 'conversion_from_previous', align: 'right', render: (x: number) => pct(x) },
    ...(compact
      ? []
      : [
          { title: t('an.funnel.dropped'), dataIndex: 'dropped', align: 'right' as const, render: (x: number) => num(x) },
          {
            title: t('an.funnel.median'),
            dataIndex: 'median_seconds_from_previous',
            align: 'right' as const,
            render: (x: number | null) => formatSeconds(x, lang),
          },
        ]),
    ...(onSaveDropoffs
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, s: FunnelStep) =>
              s.step > 1 &&
              s.dropped > 0 && (
                <Button
                  size="small"
                  type="link"
                  icon={<UsergroupAddOutlined />}
                  onClick={() => onSaveDropoffs(s.step)}
                  data-testid={`funnel-save-dropoffs-${s.step - 1}`}
                >
                  {t('an.funnel.saveDropoffs')}
                </Button>
              ),
          },
        ]
      : []),
  ];

  return (
    <>
      <EChart option={option} height={Math.max(compact ? 200 : 220, overall.length * (compact ? 48 : 64))} testId="funnel-chart" />
      <Table<FunnelStep>
        rowKey="step"
        size="small"
        columns={columns}
        dataSource={overall}
        pagination={false}
        onRow={(s) => ({ 'data-testid': `funnel-row-${s.step - 1}` }) as HTMLAttributes<HTMLElement>}
        data-testid="funnel-table"
      />
      {!compact && data.groups.length > 0 && <GroupTable groups={data.groups} name={name} />}
    </>
  );
}

function GroupTable({ groups, name }: { groups: FunnelGroup[]; name: (e: string) => string }) {
  const { t } = useI18n();
  const n = groups[0]?.steps.length ?? 0;
  return (
    <Table
      style={{ marginTop: 16 }}
      rowKey={(g) => g.group ?? ''}
      size="small"
      dataSource={groups}
      pagination={false}
      scroll={{ x: 600 }}
      columns={[
        { title: t('an.group'), dataIndex: 'group', render: (g: string | null) => g ?? '—' },
        ...Array.from({ length: n }, (_, i) => ({
          title: `${i + 1}. ${name(groups[0].steps[i].event)}`,
          key: `s${i}`,
          align: 'right' as const,
          render: (_: unknown, g: FunnelGroup) => (
            <span className="mf-num">
              {num(g.steps[i]?.customers)}
              {i > 0 && <Typography.Text type="secondary"> ({pct(g.steps[i]?.conversion_from_first)})</Typography.Text>}
            </span>
          ),
        })),
      ]}
    />
  );
}
