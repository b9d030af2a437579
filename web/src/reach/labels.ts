import type { ChannelKind } from '../api/reach';
import type { MessageKey } from '../i18n';

/** The label key of a channel kind. */
export function channelKey(channel: ChannelKind): MessageKey {
  return `reach.channel.${channel}` as MessageKey;
}

/** Tag colours of send outcomes. */
export const STATUS_COLORS: Record<string, string> = {
  accepted: 'green', suppressed: 'orange', deferred: 'gold', unreachable: 'default', failed: 'red',
  not_configured: 'default', attempting: 'blue', retrying: 'gold', unknown: 'purple',
};
