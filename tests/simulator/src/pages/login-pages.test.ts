import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const corpId = 'wwloginpages';
const redirect = 'https://hire.example.com/cb';

async function setup() {
  const clock = createManualClock();
  const sim = await startSimulator({ clock });
  cleanups.push(() => sim.stop());
  sim.wecom.addCorp({ corpId, name: '<b>公司</b>', apps: [{ agentId: 1000002, secret: 's' }], callbackToken: 't', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  sim.wecom.addUser(corpId, { userid: 'xss', name: '<script>alert(1)</script>', department: [1] });
  sim.dingtalk.addApp({ appKey: 'dingpages', appSecret: 's', robotCode: 'dingpages', corpId: 'dingcorp' });
  sim.dingtalk.addMember({ userId: 'u1', name: '"王芳"' });
  return { sim, clock };
}

const post = (url: string, form: Record<string, string>) => fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });

describe('web login pages', () => {
  it('escape everything they show, state and redirect_uri included', async () => {
    const { sim } = await setup();
    const state = '"><img src=x onerror=alert(1)>';
    const page = await (await fetch(`${sim.url}/wwlogin/sso/login?login_type=CorpApp&appid=${corpId}&agentid=1000002&redirect_uri=${encodeURIComponent(redirect)}&state=${encodeURIComponent(state)}`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>公司</b>');
    expect(page).toContain('扫码登录为 &lt;script&gt;');
    const dt = await (await fetch(`${sim.url}/oauth2/auth?redirect_uri=${encodeURIComponent(redirect)}&response_type=code&client_id=dingpages&scope=openid&state=${encodeURIComponent(state)}`)).text();
    expect(dt).toContain('扫码登录为 &quot;王芳&quot;（u1）');
    expect(dt).not.toContain('<img src=x');
  });

  it('the confirm step re-checks its parameters and refuses people who cannot sign in', async () => {
    const { sim } = await setup();
    const wecom = { login_type: 'CorpApp', appid: corpId, agentid: '1000002', redirect_uri: redirect, state: 's' };
    expect((await post(`${sim.url}/wwlogin/sso/login/confirm`, { ...wecom, userid: 'nobody' })).status).toBe(400);
    expect((await post(`${sim.url}/wwlogin/sso/login/confirm`, { ...wecom, redirect_uri: 'javascript:alert(1)', userid: 'xss' })).status).toBe(400);
    const ok = await post(`${sim.url}/wwlogin/sso/login/confirm`, { ...wecom, userid: 'xss' });
    expect(ok.status).toBe(302);
    expect(new URL(ok.headers.get('location') ?? '').searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    const dingtalk = { client_id: 'dingpages', response_type: 'code', scope: 'openid', redirect_uri: redirect, state: 's' };
    expect((await post(`${sim.url}/oauth2/auth/confirm`, { ...dingtalk, userid: 'nobody' })).status).toBe(400);
    expect((await post(`${sim.url}/oauth2/auth/confirm`, { ...dingtalk, scope: 'Contact.User.Read', userid: 'u1' })).status).toBe(400);
    const dt = await post(`${sim.url}/oauth2/auth/confirm`, { ...dingtalk, userid: 'u1' });
    expect(dt.status).toBe(302);
    expect(new URL(dt.headers.get('location') ?? '').searchParams.get('authCode')).toMatch(/^[0-9a-f]{32}$/);
  });
});
