import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type WecomFixture,
  agentId,
  appSecret,
  contactsSecret,
  corpId,
  otherAppSecret,
  startWecomFixture,
  textTo,
} from '../testing/wecom-fixture';

describe('WeCom access_token', () => {
  let f: WecomFixture;
  beforeEach(async () => {
    f = await startWecomFixture();
  });
  afterEach(() => f.stop());

  it('issues a token shaped like WeCom gettoken and returns the same one while it is valid', async () => {
    const first = await f.api.get('/cgi-bin/gettoken', { corpid: corpId, corpsecret: appSecret });
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(typeof first.access_token).toBe('string');
    f.clock.advance(7199 * 1000);
    const again = await f.api.get('/cgi-bin/gettoken', { corpid: corpId, corpsecret: appSecret });
    expect(again.access_token).toBe(first.access_token);
    expect(f.sim.wecom.calls('/cgi-bin/gettoken')).toBe(2);
  });

  it('keeps one token per secret', async () => {
    const app = await f.api.token(appSecret);
    const other = await f.api.token(otherAppSecret);
    const contacts = await f.api.token(contactsSecret);
    expect(new Set([app, other, contacts]).size).toBe(3);
  });

  it('answers 40013 for an unknown corpid, 40001 for a wrong secret, 41002/41004 for missing ones', async () => {
    expect((await f.api.get('/cgi-bin/gettoken', { corpid: 'nope', corpsecret: appSecret })).errcode).toBe(40013);
    expect((await f.api.get('/cgi-bin/gettoken', { corpid: corpId, corpsecret: 'wrong' })).errcode).toBe(40001);
    expect((await f.api.get('/cgi-bin/gettoken', { corpsecret: appSecret })).errcode).toBe(41002);
    expect((await f.api.get('/cgi-bin/gettoken', { corpid: corpId })).errcode).toBe(41004);
  });

  it('rejects a missing token with 41001 and an unknown one with 40014, decorating errmsg like WeCom', async () => {
    const missing = await f.api.post('/cgi-bin/message/send', {}, textTo('lisi', 'hi'));
    expect(missing.errcode).toBe(41001);
    const unknown = await f.api.post('/cgi-bin/message/send', { access_token: 'forged' }, textTo('lisi', 'hi'));
    expect(unknown.errcode).toBe(40014);
    expect(unknown.errmsg).toMatch(/^invalid access_token, hint: \[\d+_[0-9a-f]+\], .*\?e=40014$/);
  });

  it('expires a token 7200 s after issue (42001) and then issues a new one', async () => {
    const token = await f.api.token();
    f.clock.advance(7200 * 1000);
    const expired = await f.api.send({ ...textTo('lisi', 'hi'), agentid: agentId }, token);
    expect(expired.errcode).toBe(42001);
    const fresh = await f.api.token();
    expect(fresh).not.toBe(token);
    expect((await f.api.send(textTo('lisi', 'hi'), fresh)).errcode).toBe(0);
  });

  it('measures expiry from the first issue even when gettoken is repeated (expires_in stays 7200)', async () => {
    const token = await f.api.token();
    f.clock.advance(7000 * 1000);
    expect(await f.api.token()).toBe(token);
    f.clock.advance(200 * 1000);
    expect((await f.api.send(textTo('lisi', 'hi'), token)).errcode).toBe(42001);
  });

  it('invalidates tokens early on request (40014) and issues a new one on the next gettoken', async () => {
    const token = await f.api.token();
    expect(f.sim.wecom.invalidateTokens(corpId)).toBe(1);
    expect((await f.api.send(textTo('lisi', 'hi'), token)).errcode).toBe(40014);
    const fresh = await f.api.token();
    expect(fresh).not.toBe(token);
    expect((await f.api.send(textTo('lisi', 'hi'), fresh)).errcode).toBe(0);
  });

  it("refuses app messages with the contacts-sync token (48002) and list_id with an app token (48002)", async () => {
    const contacts = await f.api.token(contactsSecret);
    expect((await f.api.send(textTo('lisi', 'hi'), contacts)).errcode).toBe(48002);
    const app = await f.api.token(appSecret);
    const listed = await f.api.post('/cgi-bin/user/list_id', { access_token: app }, { limit: 10 });
    expect(listed.errcode).toBe(48002);
  });

  it("refuses a token of one app sending as another app's agentid (40056)", async () => {
    const other = await f.api.token(otherAppSecret);
    expect((await f.api.send({ ...textTo('lisi', 'hi'), agentid: agentId }, other)).errcode).toBe(40056);
  });
});

describe('WeCom failure injection and gettoken frequency', () => {
  it('answers injected errcodes before any other check, then behaves normally', async () => {
    const f = await startWecomFixture();
    try {
      f.sim.wecom.failNext('/cgi-bin/message/send', -1, 2);
      f.sim.wecom.failNext('/cgi-bin/message/send', 45033);
      const token = await f.api.token();
      const codes = [];
      for (let i = 0; i < 4; i += 1) codes.push((await f.api.send(textTo('lisi', `m${i}`), token)).errcode);
      expect(codes).toEqual([-1, -1, 45033, 0]);
      // An injected failure wins even over a missing token.
      f.sim.wecom.failNext('/cgi-bin/message/send', 45009);
      expect((await f.api.post('/cgi-bin/message/send', {}, {})).errcode).toBe(45009);
      expect(f.sim.wecom.received('lisi')).toHaveLength(1);
      expect(f.sim.wecom.calls('/cgi-bin/message/send')).toBe(5);
    } finally {
      await f.stop();
    }
  });

  it('answers 45009 to gettoken beyond the configured hourly limit until the hour has passed', async () => {
    const f = await startWecomFixture({ gettokenLimitPerHour: 3 });
    try {
      const query = { corpid: corpId, corpsecret: appSecret };
      const codes = [];
      for (let i = 0; i < 4; i += 1) codes.push((await f.api.get('/cgi-bin/gettoken', query)).errcode);
      expect(codes).toEqual([0, 0, 0, 45009]);
      f.clock.advance(3600 * 1000);
      expect((await f.api.get('/cgi-bin/gettoken', query)).errcode).toBe(0);
    } finally {
      await f.stop();
    }
  });
});
