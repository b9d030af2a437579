import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, fieldErrors, issueField } from './errors';

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

  it('names the field of each validation issue', () => {
    const err = new ApiError(422, [
      { loc: ['body', 'org_code'], msg: 'unknown org', type: 'value_error' },
      { loc: ['body'], msg: 'bad body', type: 'x' },
    ]);
    expect(errorMessage(err, t)).toBe('org_code: unknown org; bad body');
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
