import { Table } from 'antd';
import type { PathsResult } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { EChart, type ChartOption } from '../../common/charts/EChart';
import { useI18n } from '../../i18n';
import { num, Stat, useEventName } from '../common';

/** The result of a paths query: the session count, the Sankey of the strongest links and the top paths. */
export function PathsView({ data, catalogue, compact }: { data: PathsResult; catalogue?: Catalogue; compact?: boolean }) {
  const { t } = useI18n();
  const name = useEventName(catalogue);
  // Keep the Sankey readable: the strongest links only, and only nodes they touch.
  const links = data.links.slice(0, compact ? 40 : 80);
  const used = new Set(links.flatMap((l) => [l.source, l.target]));
  // A label sits between its column and the next: no wider than a column's share of ~1000 px, and never
  // more than 130 px, so labels of neighbouring steps do not run into each other.
  const depth = new Set([...used].map((id) => id.split(':')[0])).size;
  const perLevel = [...used].reduce<Record<string, number>>((acc, id) => ({ ...acc, [id.split(':')[0]]: (acc[id.split(':')[0]] ?? 0) + 1 }), {});
  const tallest = Math.max(1, ...Object.values(perLevel));
  const labelRoom = Math.max(60, Math.min(130, Math.floor(1000 / Math.max(1, depth)) - 40));
  const option: ChartOption = {
    // Node tooltips name the event in full (labels are cut to the room between two columns).
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const d = p as { dataType?: string; name: string; value: number; data: { source?: string; target?: string } };
        const label = (id: string) => name(id.split(':').slice(1).join(':'));
        return d.dataType === 'edge' && d.data.source && d.data.target
          ? `${label(d.data.source)} → ${label(d.data.target)}: ${num(d.value)}`
          : `${label(d.name)}: ${num(d.value)}`;
      },
    },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: labelRoom,
        top: 8,
        bottom: 8,
        nodeGap: 20, // labels of thin nodes (a few sessions) need a line each
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
        label: {
          formatter: (p) => name(String(p.name).split(':').slice(1).join(':')),
          width: labelRoom - 12,
          overflow: 'truncate',
          ellipsis: '…',
        },
        data: data.nodes.filter((n) => used.has(n.id)).map((n) => ({ name: n.id })),
        links: links.map((l) => ({ source: l.source, target: l.target, value: l.sessions })),
      },
    ],
  };
  return (
    <>
      <div className="mf-an-stats">
        <Stat label={t('an.paths.sessions')} value={num(data.sessions)} />
      </div>
      {links.length > 0 && <EChart option={option} height={Math.max(compact ? 320 : 420, tallest * 34)} testId="paths-sankey" />}
      <Table
        style={{ marginTop: 12 }}
        size="small"
        rowKey={(p) => p.events.join('>')}
        dataSource={compact ? data.top.slice(0, 5) : data.top}
        pagination={false}
        columns={[
          { title: t('an.paths.path'), key: 'p', render: (_: unknown, p) => p.events.map(name).join(' → ') },
          { title: t('an.paths.sessions'), dataIndex: 'sessions', align: 'right', width: 120, render: (v: number) => num(v) },
        ]}
      />
    </>
  );
}
