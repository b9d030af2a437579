/** Properties an event (or transactions) may be filtered or measured on, from the catalogue. */
import type { Catalogue, FieldInfo } from '../../api/insight';

/** An event's own properties plus the event columns ($channel, $date); for transactions, their columns. */
export function eventProperties(catalogue: Catalogue, source: 'events' | 'transactions', event: string | null | undefined): FieldInfo[] {
  if (source === 'transactions') return catalogue.transaction_properties;
  const own = catalogue.events.find((e) => e.name === event)?.properties ?? [];
  const str = catalogue.operators.string ?? [];
  const dt = catalogue.operators.date ?? [];
  return [
    ...own,
    { key: '$channel', label: '$channel', type: 'string', values: ['app', 'h5', 'wechat', 'branch'], ops: str },
    { key: '$date', label: '$date', type: 'date', ops: dt },
  ];
}
