import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFrom, errorMessage, fieldErrors, issueField, serverFieldErrors } from './errors';

const t = (key: string, params?: Record<string, string | number>) =>
  params ? `${key}:${JSON.stringify(params)}` : key;

describe('errorMessage', () => {
  it('returns a string detail as is', () => {
    expect(errorMessage(new ApiError(400, 'username already exists'), t)).toBe('username already exists');
  });

  it('shows the server detail of a 429, or a generic "too many attempts"', () => {
    expect(errorMessage(new ApiError(429, 'Too many login attempts, retry in 60 s'), t)).toBe(
      'Too many login attempts, retry in 60 s',
    );
    expect(errorMessage(new ApiError(429, null), t)).toBe('common.error.tooMany');
  });

  it('names the field of each validation issue by its label (zh by default)', () => {
    const err = new ApiError(422, [
      { loc: ['body', 'org_code'], msg: 'unknown org', type: 'value_error' },
      { loc: ['body'], msg: 'bad body', type: 'x' },
    ]);
    expect(errorMessage(err, t)).toBe('机构：unknown org；bad body');
  });

  it("translates FastAPI's common validation types with their limits", () => {
    const err = new ApiError(422, [
      { loc: ['body', 'username'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'password'], msg: 'String should have at least 8 characters', type: 'string_too_short', ctx: { min_length: 8 } },
      { loc: ['query', 'days'], msg: 'Input should be greater than 0', type: 'greater_than', ctx: { gt: 0 } },
    ]);
    expect(errorMessage(err, t)).toBe('用户名：必填；密码：至少 8 个字符；天数：应大于 0');
    expect(fieldErrors(err).password).toEqual(['至少 8 个字符']);
  });

  it('shows the text of a known code with its params, else the English detail', () => {
    const taken = apiErrorFrom(409, { detail: "username 'admin' is taken", field: 'username', code: 'user.taken', params: { username: 'admin' } });
    expect(taken.code).toBe('user.taken');
    expect(errorMessage(taken, t)).toBe('用户名“admin”已被占用');
    expect(serverFieldErrors(taken)).toEqual({ username: ['用户名“admin”已被占用'] });
    expect(errorMessage(apiErrorFrom(401, { detail: 'wrong username or password', code: 'login.failed', params: {} }), t)).toBe('用户名或密码错误');
    const unknown = apiErrorFrom(400, { detail: 'something new', code: 'brand.new.code', params: {} });
    expect(errorMessage(unknown, t)).toBe('something new');
  });

  it('reports network failures and bare statuses', () => {
    expect(errorMessage(new ApiError(0, null), t)).toBe('common.error.network');
    expect(errorMessage(new ApiError(500, null), t)).toBe('common.error.unknown:{"status":500}');
    expect(errorMessage(new ApiError(403, null), t)).toBe('common.error.forbidden');
  });

  it('handles errors that are not ApiError', () => {
    expect(errorMessage(new Error('boom'), t)).toBe('boom');
  });
});

describe('fieldErrors', () => {
  it('groups 422 messages by field without the location prefix', () => {
    const err = new ApiError(422, [
      { loc: ['body', 'username'], msg: 'too short' },
      { loc: ['body', 'username'], msg: 'bad chars' },
      { loc: ['query', 'limit'], msg: 'must be <= 500' },
    ]);
    expect(fieldErrors(err)).toEqual({ username: ['too short', 'bad chars'], limit: ['must be <= 500'] });
  });

  it('is empty for non-validation errors', () => {
    expect(fieldErrors(new ApiError(400, 'nope'))).toEqual({});
    expect(fieldErrors(new Error('x'))).toEqual({});
  });

  it('joins nested locations', () => {
    expect(issueField({ loc: ['body', 'consent', 'sms'], msg: 'x' })).toBe('consent.sms');
  });
});
