import { randomUUID } from 'node:crypto';

/**
 * DingTalk has two API families with two error styles, and clients must tell them apart:
 * - new API (https://api.dingtalk.com/v1.0/…): HTTP 4xx/5xx with `{code, message, requestid}`, no errcode;
 * - old API (https://oapi.dingtalk.com/…): always HTTP 200 with `{errcode, errmsg}`.
 * Global codes: https://open.dingtalk.com/document/orgapp/server-api-error-codes-1
 * Values marked "chosen" are not pinned down by the docs; README.md (DingTalk section) explains each.
 */
export class DingtalkApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code} ${detail}`);
    this.name = 'DingtalkApiError';
  }

  body() {
    return { code: this.code, requestid: randomUUID().toUpperCase(), message: this.detail };
  }
}

export const newApiErrors = {
  /** POST /v1.0/oauth2/accessToken with an unknown appKey or a wrong appSecret (observed live answer). */
  invalidClient: () => new DingtalkApiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret'),
  missingToken: () => new DingtalkApiError(400, 'AuthenticationFailed.MissingParameter', '缺少参数：x-acs-dingtalk-access-token'),
  invalidToken: () => new DingtalkApiError(400, 'InvalidAuthentication', '不合法的access_token'),
  /** chosen: DingTalk reports invalid parameters as `invalidParameter.<field>.<reason>`. */
  invalidParameter: (field: string, reason: string, message: string) => new DingtalkApiError(400, `invalidParameter.${field}.${reason}`, message),
  robotNotFound: () => new DingtalkApiError(400, 'invalidParameter.robotCode.notExsit', 'robotCode不存在'),
} as const;

/** Old-API errcodes answered by the simulator (HTTP 200). */
export const oapiErrcodes = {
  systemBusy: -1,
  /** gettoken without appkey (observed live: "缺少参数 corpid or appkey"). */
  missingParameter: 40035,
  /** gettoken with a wrong appkey/appsecret (observed live; not in the global table, which lists 40089). */
  invalidAppKeyOrSecret: 40096,
  /** custom robot: unknown access_token (observed live; the robot doc lists 400101). */
  robotTokenNotExist: 300005,
  /** custom robot: more than 20 messages a minute (observed live; the rate doc lists 410100). chosen, see README. */
  robotTooFast: 660026,
  /** custom robot: signature check failed (doc 自定义机器人安全设置). */
  robotSignMismatch: 310000,
  /** custom robot: msgtype unknown or content missing. chosen. */
  robotInvalidMessage: 40035,
} as const;

const oapiMessages: Record<number, string> = {
  [-1]: '系统繁忙',
  40035: '缺少参数',
  40096: '不合法的appKey或appSecret',
  300005: 'token is not exist',
  660026: 'sending too many messages per minute',
  310000: 'sign not match',
  40014: '不合法的access_token',
  40004: '不合法的媒体文件类型',
  40006: '不合法的文件大小',
  41005: '缺少多媒体文件数据',
};

export class OapiError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(`${errcode}${detail ? ` ${detail}` : ''}`);
    this.name = 'OapiError';
  }

  body() {
    const stem = oapiMessages[this.errcode] ?? 'unknown error';
    return { errcode: this.errcode, errmsg: this.detail ? `${stem}: ${this.detail}` : stem };
  }
}
