import Taro from '@tarojs/taro';
import { employeeToken, request, saveEmployeeSession } from '../api/interviewer';
import type { EmployeeSignIn } from './employee-session-types';

export type { DemoEmployee, EmployeeSignIn } from './employee-session-types';

interface QyLogin {
  login(options: { success(result: { code: string }): void; fail(error: { errMsg: string }): void }): void;
}
declare const wx: { qy?: QyLogin } | undefined;

/**
 * Inside WeCom the mini-program gets a one-time code from wx.qy.login (plain wx.login there is the WeChat identity,
 * not the employee); the server exchanges it (jscode2session of the company's app) for an employee session. The
 * company's CorpID comes from the mini-program's ext config (the mini-program is built per company).
 */
export async function startEmployeeSignIn(): Promise<EmployeeSignIn> {
  if (employeeToken()) return { kind: 'signed_in' };
  const qy = typeof wx === 'undefined' ? undefined : wx.qy;
  if (!qy) return { kind: 'unavailable', message: '请在企业微信中打开本小程序。Please open this mini-program in WeCom.' };
  const ext = (Taro.getExtConfigSync?.() ?? {}) as { corpId?: unknown };
  if (typeof ext.corpId !== 'string' || ext.corpId === '') {
    return { kind: 'unavailable', message: '小程序未配置企业 CorpID，请联系管理员。The mini-program has no company CorpID configured; contact your administrator.' };
  }
  const code = await new Promise<string>((resolve, reject) =>
    qy.login({ success: (r) => resolve(r.code), fail: (e) => reject(new Error(`企业微信登录失败，请重试。WeCom sign-in failed (${e.errMsg}).`)) }),
  );
  const session = await request<{ token: string }>('POST', '/api/auth/employee/code', { platform: 'wecom', corpId: ext.corpId, code }, false);
  saveEmployeeSession(session.token);
  return { kind: 'signed_in' };
}

export async function demoSignIn(_employeeId: string): Promise<void> {
  throw new Error('小程序内没有演示登录。Demo sign-in is not available in the mini-program.');
}
