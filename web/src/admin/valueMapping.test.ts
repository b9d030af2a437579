import { describe, expect, it } from 'vitest';
import type { DataEntity } from '../api/data';
import { chosenValues, unknownChoices } from './valueMapping';

const IDENTITIES: DataEntity = {
  name: 'identities',
  zh: '身份标识',
  key: ['customer_id', 'kind', 'value'],
  full_allowed: true,
  fields: [
    { key: 'customer_id', type: 'string', zh: '客户号', meaning: '', example: '', required: true, pii: false,
      choices: [], aliases: [] },
    { key: 'kind', type: 'string', zh: '标识类型', meaning: '', example: '', required: true, pii: false,
      choices: ['app_user', 'wechat_openid', 'mobile'], aliases: [] },
    { key: 'value', type: 'string', zh: '标识值', meaning: '', example: '', required: true, pii: true,
      choices: [], aliases: [] },
  ],
};

describe('value maps for fields with fixed choices', () => {
  const preview = {
    delimiter: ',',
    headers: ['客户号', '类型', '值'],
    rows: [['K1', '手机', '139'], ['K2', 'mobile', '138'], ['K3', ' 微信 ', 'o1'], ['K4', '手机', '137'], ['K5', '', '']],
  };
  const mapping = { 客户号: 'customer_id', 类型: 'kind', 值: 'value' };

  it("lists the bank's own values of a mapped field that are not among its choices, once each", () => {
    expect(unknownChoices(preview, mapping, IDENTITIES)).toEqual([{ field: 'kind', values: ['手机', '微信'] }]);
    expect(unknownChoices(preview, { 客户号: 'customer_id' }, IDENTITIES)).toEqual([]);
  });

  it('sends only the values given a choice', () => {
    const unknown = unknownChoices(preview, mapping, IDENTITIES);
    expect(chosenValues({ kind: { 手机: 'mobile', 微信: '', 旧值: 'app_user' } }, unknown)).toEqual({
      kind: { 手机: 'mobile' },
    });
    expect(chosenValues({}, unknown)).toBeUndefined();
  });
});
