/**
 * Sign-in exchanges: a one-time code from a platform login becomes who the person is on that platform. The server
 * turns that into one of our sessions (server/src/features/identity); the platform's own session key never leaves
 * the adapter and never reaches a client.
 */

/** An employee as the platform names them. WeCom answers with the userid; DingTalk web login with the unionId. */
export interface PlatformEmployee {
  readonly corpId: string;
  readonly userId?: string;
  readonly unionId?: string;
}

/** A candidate in personal WeChat: openid per mini-program, unionid when the mini-program is bound to an open account. */
export interface WechatPerson {
  readonly appId: string;
  readonly openId: string;
  readonly unionId: string | null;
}

/**
 * The code was refused by the platform (invalid, expired or already used): the caller answers 401. `errcode` is the
 * platform's (WeCom 40029; DingTalk 40078 on the mini-app exchange, the HTTP status of the web exchange; WeChat
 * 40029, 40163, 40226), or 0 when the platform accepted the code but the person is not an employee of the corp
 * (WeCom's non-member answer with only an openid). Anything else — busy, throttled, a wrong secret — is the
 * adapter's own typed API error, never this.
 */
export class SignInCodeRejected extends Error {
  constructor(
    readonly platform: 'wecom' | 'dingtalk' | 'wechat',
    readonly errcode: number,
  ) {
    super(`${platform} refused the sign-in code (errcode ${errcode})`);
    this.name = 'SignInCodeRejected';
  }
}

/** One tenant's employee sign-in on its platform. */
export interface EmployeeSignIn {
  /** WeCom: `wx.qy.login` code → `/cgi-bin/miniprogram/jscode2session`. DingTalk: `dd.getAuthCode` → `topapi/v2/user/getuserinfo`. */
  exchangeMiniAppCode(code: string): Promise<PlatformEmployee>;
  /**
   * Where the browser goes for web login (QR). `redirectUri` receives the code and `state` in its query: WeCom names
   * the code `code`, DingTalk `authCode`.
   */
  webLoginUrl(input: { readonly redirectUri: string; readonly state: string }): string;
  /** WeCom: `/cgi-bin/auth/getuserinfo`. DingTalk: `/v1.0/oauth2/userAccessToken` then `/v1.0/contact/users/me`. */
  exchangeWebCode(code: string): Promise<PlatformEmployee>;
}

/** The WeChat mini-program candidates use: `wx.login` code → `/sns/jscode2session`. */
export interface CandidateSignIn {
  exchangeCode(code: string): Promise<WechatPerson>;
}

/** A tenant's employee sign-in, or undefined when the tenant has no connected app. */
export type EmployeeSignInFor = (tenantId: string) => Promise<EmployeeSignIn | undefined>;
/** The candidate mini-program of a tenant (its own AppID, or the one HireBridge runs), or undefined. */
export type CandidateSignInFor = (tenantId: string) => Promise<CandidateSignIn | undefined>;
