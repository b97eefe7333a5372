import type { SignInResult } from './index';

/** Signs the candidate in; the platform builds replace this file (session.weapp.ts, session.h5.ts). */
export async function signIn(_invitationToken: string | null): Promise<SignInResult> {
  throw new Error('此平台暂不支持登录。Sign-in is not available on this platform.');
}
