import { describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger';
import { dingtalkHostsOf } from './hosts';
import { createDingtalkOapi } from './oapi-client';

describe('DingTalk hosts', () => {
  it('sends the new API, the old API and the login page to their own real hosts, and everything to one simulator base', () => {
    expect(dingtalkHostsOf('https://api.dingtalk.com')).toEqual({ api: 'https://api.dingtalk.com', oapi: 'https://oapi.dingtalk.com', login: 'https://login.dingtalk.com' });
    expect(dingtalkHostsOf('http://127.0.0.1:3900/')).toEqual({ api: 'http://127.0.0.1:3900', oapi: 'http://127.0.0.1:3900', login: 'http://127.0.0.1:3900' });
  });

  it('calls /topapi on oapi.dingtalk.com and takes the token from api.dingtalk.com for a real app', async () => {
    const called: string[] = [];
    const recording: typeof fetch = async (input) => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      called.push(`${url.origin}${url.pathname}`);
      const body = url.pathname === '/v1.0/oauth2/accessToken' ? { accessToken: 'tok', expireIn: 7200 } : { errcode: 0, result: { userid: 'u1' } };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const oapi = createDingtalkOapi({
      credentials: { appId: 'a', tenantId: 't', corpId: 'c', appKey: 'k', appSecret: 's', robotCode: 'k', baseUrl: 'https://api.dingtalk.com' },
      tokens: { current: async (_id, fetchToken) => (await fetchToken()).accessToken, replace: async (_id, _bad, fetchToken) => (await fetchToken()).accessToken },
      log: createLogger({ level: 'silent' }),
      fetch: recording,
    });
    await oapi.post('/topapi/v2/user/getuserinfo', { code: 'x' });
    expect(called).toEqual(['https://api.dingtalk.com/v1.0/oauth2/accessToken', 'https://oapi.dingtalk.com/topapi/v2/user/getuserinfo']);
  });
});
