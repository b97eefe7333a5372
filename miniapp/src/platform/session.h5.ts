import { api } from '../api/client';
import type { SignInResult } from './index';

/** In a browser there is no WeChat identity: the invitation link's token is the only way in. */
export async function signIn(invitationToken: string | null): Promise<SignInResult> {
  if (!invitationToken) {
    throw new Error('请从面试邀请链接打开本页面。Please open this page from your interview invitation link.');
  }
  return api<SignInResult>('POST', '/api/auth/invitation', { token: invitationToken });
}
