import { isApiError } from '../../api/errors';
import type { TFunction } from '../../i18n';
import type { MessageKey } from '../../i18n';
import type { Channel } from './api';

/** A template field path as people read it (`fields.thing1` → 模板字段 thing1). */
export function fieldLabel(t: TFunction, field: string, channel?: Channel): string {
  const path = field.replace(/^content\./, '');
  const [head, ...rest] = path.split('.');
  const tail = rest.join('.');
  switch (head) {
    case 'title':
      return t('content.field.title');
    case 'body':
      return t(channel === 'call' || channel === 'rm_task' ? 'content.field.script' : channel === 'email' ? 'content.field.text' : 'content.field.body');
    case 'subject':
      return t('content.field.subject');
    case 'html':
      return t('content.field.html');
    case 'wechat_template_id':
      return t('content.field.wechatId');
    case 'fields':
      return tail ? `${t('content.field.wechatFields')} ${tail}` : t('content.field.wechatFields');
    case 'call_script_id':
      return t('content.field.callScript');
    case 'call_variables':
      return t('content.field.callVariables');
    case 'links':
      return t('content.field.links');
    default:
      return path;
  }
}

/** The message of an issue code (`err.<code>`) with its field named in the reader's language. */
export function issueText(t: TFunction, code: string, params: Record<string, string | number>, channel?: Channel): string {
  const field = typeof params.field === 'string' ? fieldLabel(t, params.field, channel) : '';
  // The server counts positions from 0 (an index); people count characters from 1.
  const position = typeof params.position === 'number' ? params.position + 1 : params.position;
  return t(`err.${code}` as MessageKey, { ...params, field, ...(position === undefined ? {} : { position }) });
}

/** A save error as text: content codes name their field in the reader's language. */
export function saveError(t: TFunction, err: unknown, channel: Channel | undefined, fallback: (e: unknown) => string): string {
  if (isApiError(err) && err.code?.startsWith('content.')) return issueText(t, err.code, err.params, channel);
  return fallback(err);
}
