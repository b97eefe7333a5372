import { randomBytes } from 'node:crypto';
import { WecomApiError } from '../wecom/errors';

/**
 * Error codes of 微信客服 (answered on WeCom's API host, so in WeCom's format) and of the mini-program server API
 * (api.weixin.qq.com). Codes marked "chosen" are not pinned down by the docs; src/wechat/README.md explains each.
 * 微信客服 list: https://developer.work.weixin.qq.com/document/path/90313 (全局错误码, 95xxx rows)
 * Mini-program: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/ (per-API error tables)
 */
export const kfErrcodes = {
  invalidParameter: 40058,
  invalidExternalUserId: 40096,
  invalidCursor: 50100,
  emptyContent: 44004,
  contentTooLarge: 45002,
  apiFreqOutOfLimit: 45009,
  apiForbidden: 48002,
  invalidMsgType: 40008,
  /** 不合法的open_kfid */
  invalidOpenKfId: 95000,
  /** 发送客服消息次数限制: at most 5 messages per customer message. */
  sendCountLimit: 95001,
  /** 发送客服消息时间限制: only within 48 h of the customer's last message. */
  sendTimeLimit: 95002,
  /** chosen: a sync_msg token that is unknown, of another open_kfid, or older than 10 minutes. */
  invalidMsgToken: 95007,
} as const;

export const wechatErrcodes = {
  systemBusy: -1,
  /** On /cgi-bin/token a wrong secret; on every other API an access_token that is invalid or not the latest. */
  invalidCredential: 40001,
  invalidOpenId: 40003,
  invalidAppId: 40013,
  invalidCode: 40029,
  invalidTemplateId: 40037,
  invalidAppSecret: 40125,
  /** code been used */
  codeUsed: 40163,
  accessTokenMissing: 41001,
  appIdMissing: 41002,
  secretMissing: 41004,
  accessTokenExpired: 42001,
  /** user refuse to accept the msg: no one-time subscription left for this template */
  userRefuse: 43101,
  dataFormatError: 47001,
  argumentInvalid: 47003,
  invalidGrantType: 40002,
} as const;

const kfStems: Record<number, string> = {
  40008: 'invalid message type',
  40058: 'invalid Request Parameter',
  40096: 'invalid external userid',
  44004: 'empty content',
  45002: 'content size out of limit',
  45009: 'api freq out of limit',
  48002: 'api forbidden',
  50100: 'invalid cursor',
  95000: 'invalid open_kfid',
  95001: 'send msg count limit',
  95002: 'send msg time limit',
  95007: 'invalid msg token',
};

/** The same decoration WeCom puts on every failing errmsg (see src/wecom/errors.ts errmsgFor). */
export function kfErrmsg(errcode: number, now: Date, detail?: string): string {
  const stem = kfStems[errcode] ?? 'unknown error';
  const hint = `${Math.floor(now.getTime() / 1000)}_${randomBytes(6).toString('hex')}`;
  const what = detail ? `${stem} (${detail})` : stem;
  return `${what}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

const wechatStems: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40125: 'invalid appsecret',
  40163: 'code been used',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  42001: 'access_token expired',
  43101: 'user refuse to accept the msg',
  47001: 'data format error',
  47003: 'argument invalid!',
};

/** api.weixin.qq.com decorates errmsg with a request id: "invalid code, rid: 6563…". */
export function wechatErrmsg(errcode: number, detail?: string): string {
  const stem = wechatStems[errcode] ?? 'unknown error';
  return `${detail ? `${stem} ${detail}` : stem} rid: ${randomBytes(12).toString('hex')}`;
}

/** Thrown by mini-program handlers; kf handlers reuse WeCom's WecomApiError since they live on WeCom's host. */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(`${errcode}${detail ? ` ${detail}` : ''}`);
    this.name = 'WechatApiError';
  }
}

export { WecomApiError };
