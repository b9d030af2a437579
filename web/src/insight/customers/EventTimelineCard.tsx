import { App, Button, Card, Empty, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { customersApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import type { CustomerEvent } from '../../api/types';
import { formatDateTime } from '../../common/format';
import { useI18n } from '../../i18n';
import { propertyLabel } from '../segments/labels';
import { eventColor, summarizeProperties } from './events';

const PAGE = 20;
/** Same height as the AUM chart card beside it. */
const CHART_BODY_HEIGHT = 324;

/** `unmasked`: the page was unmasked (audited), so more events are fetched unmasked too. */
export function EventTimelineCard({
  customerId,
  initial,
  unmasked = false,
}: {
  customerId: string;
  initial: CustomerEvent[];
  unmasked?: boolean;
}) {
  const { t, tv, lang } = useI18n();
  const { message } = App.useApp();
  const [events, setEvents] = useState<CustomerEvent[]>(initial);
  const [loading, setLoading] = useState(false);
  // A customer with no recent event has no older one either: no "load more" under an empty timeline.
  const [exhausted, setExhausted] = useState(initial.length === 0);

  // The events endpoint takes only `limit`, so "more" asks for a longer list and replaces ours.
  const loadMore = async () => {
    setLoading(true);
    try {
      const res = await customersApi.events(customerId, events.length + PAGE, unmasked);
      if (res.items.length <= events.length) setExhausted(true);
      setEvents(res.items);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card
      title={t('events.title')}
      size="small"
      className="mf-card"
      styles={{ body: { height: CHART_BODY_HEIGHT, overflowY: 'auto' } }}
      data-testid="customer-events"
    >
      {events.length === 0 ? (
        <Empty description={t('events.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Timeline
          items={events.map((e, i) => {
            const name = tv('event', e.event);
            const props = summarizeProperties(e.properties, 4, (key) => propertyLabel(lang, { key }));
            return {
              key: `${e.timestamp}-${e.event}-${i}`,
              color: eventColor(e.event),
              content: (
                <div data-testid="event-item" title={e.message_id ? `${t('events.message')}: ${e.message_id}` : undefined}>
                  <div>
                    {/* The event's code stays at hand as a tooltip; the line reads in the console language. */}
                    <Typography.Text strong title={name !== e.event ? e.event : undefined}>
                      {name}
                    </Typography.Text>
                    <Typography.Text type="secondary" className="mf-num" style={{ float: 'right', fontSize: 12 }}>
                      {formatDateTime(e.timestamp)}
                    </Typography.Text>
                  </div>
                  {e.channel && (
                    <div className="mf-timeline-props">{`${t('events.channel')}: ${tv('channel', e.channel)}`}</div>
                  )}
                  {props && <div className="mf-timeline-props">{props}</div>}
                </div>
              ),
            };
          })}
        />
      )}
      <div style={{ textAlign: 'center', display: events.length === 0 ? 'none' : undefined }}>
        {exhausted ? (
          <Typography.Text type="secondary">{t('events.noMore')}</Typography.Text>
        ) : (
          <Button size="small" onClick={loadMore} loading={loading} data-testid="events-load-more">
            {t('events.loadMore')}
          </Button>
        )}
      </div>
    </Card>
  );
}
