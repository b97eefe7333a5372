import Taro from '@tarojs/taro';
import { api } from '../api/client';
import type { SignInResult } from './index';

/** wx.login gives a one-time code; the server exchanges it (code2Session) and binds the invitation if there is one. */
export async function signIn(invitationToken: string | null): Promise<SignInResult> {
  const { code } = await Taro.login();
  if (!code) throw new Error('微信登录失败，请重试。WeChat sign-in failed; please try again.');
  const appId = Taro.getAccountInfoSync().miniProgram.appId;
  return api<SignInResult>('POST', '/api/auth/candidate/code', { appId, code, ...(invitationToken && { invitationToken }) });
}
