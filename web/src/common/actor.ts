import { useI18n } from '../i18n';
import { orDash } from './format';

/**
 * Who did something, as shown: a person's username as it is, the non-persons (`system`, `cli`, `demo`) in the
 * console language (`actor.<name>`).
 */
export function useActorName(): (username: string | null | undefined) => string {
  const { tv } = useI18n();
  return (username) => orDash(username ? tv('actor', username) : username);
}
