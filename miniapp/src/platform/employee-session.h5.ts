import { ApiError } from '../api/client';
import { employeeToken, request, saveEmployeeSession } from '../api/interviewer';
import type { DemoEmployee, EmployeeSignIn } from './employee-session-types';

export type { DemoEmployee, EmployeeSignIn } from './employee-session-types';

/**
 * In a browser: a token handed back by the web login (in the address fragment, never sent to a server) is taken
 * first; otherwise, when the server is in demo mode (GET /api/dev/employees answers), the 演示登录 picker; otherwise
 * the WeCom/DingTalk web login, for the company named in the page address (?platform=wecom&corpId=…).
 */
export async function startEmployeeSignIn(): Promise<EmployeeSignIn> {
  const handed = tokenFromFragment();
  if (handed) saveEmployeeSession(handed);
  if (employeeToken()) return { kind: 'signed_in' };
  try {
    const demo = await request<{ items: DemoEmployee[] }>('GET', '/api/dev/employees', undefined, false);
    return { kind: 'demo', employees: demo.items };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 403)) throw error;
  }
  const query = new URLSearchParams(window.location.search || window.location.hash.split('?')[1] || '');
  const platform = query.get('platform') === 'dingtalk' ? 'dingtalk' : 'wecom';
  const corpId = query.get('corpId');
  if (!corpId) return { kind: 'web', url: null, message: '请从公司工作台的链接打开本页面。Please open this page from the link in your company workbench.' };
  // Back to this page; the callback appends `#token=…` to it, which tokenFromFragment takes.
  const returnTo = `${window.location.pathname}#/pages/interviewer/signin/index`;
  const url = `${HB_API_URL}/api/auth/web/start?${new URLSearchParams({ platform, corpId, returnTo }).toString()}`;
  return { kind: 'web', url, message: platform === 'wecom' ? '用企业微信扫码登录 Sign in with WeCom' : '用钉钉扫码登录 Sign in with DingTalk' };
}

export async function demoSignIn(employeeId: string): Promise<void> {
  const session = await request<{ token: string }>('POST', '/api/dev/sessions', { employeeId }, false);
  saveEmployeeSession(session.token);
}

/**
 * `#token=…&expiresAt=…` as the web-login callback appends it to the page address (after the router's own
 * `#/pages/…`); removed from the address once read, so it is neither bookmarked nor shared.
 */
function tokenFromFragment(): string | null {
  const href = window.location.href;
  const at = href.lastIndexOf('#token=');
  if (at < 0) return null;
  const token = new URLSearchParams(href.slice(at + 1)).get('token');
  window.history.replaceState(window.history.state, '', href.slice(0, at));
  return token && token.length >= 20 ? token : null;
}
