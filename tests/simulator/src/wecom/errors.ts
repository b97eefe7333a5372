import { randomBytes } from 'node:crypto';

/**
 * Error codes answered by the simulator, with WeCom's English errmsg stem.
 * Global list: https://developer.work.weixin.qq.com/document/path/90313 (全局错误码)
 * Codes marked "chosen" are not pinned down by the docs; README.md explains each choice.
 */
export const errcodes = {
  systemBusy: -1,
  invalidSecret: 40001,
  invalidMsgType: 40008,
  invalidCorpId: 40013,
  invalidAccessToken: 40014,
  invalidUserIdListSize: 40032,
  invalidAgentId: 40056,
  /** chosen: bad JSON, reused task_id, unknown/used/expired response_code, bad list_id limit */
  invalidParameter: 40058,
  accessTokenMissing: 41001,
  corpIdMissing: 41002,
  secretMissing: 41004,
  urlMissing: 41010,
  agentIdMissing: 41011,
  titleMissing: 41016,
  descriptionMissing: 41033,
  accessTokenExpired: 42001,
  invalidTaskId: 42014,
  buttonKeyMissing: 42019,
  buttonNameMissing: 42020,
  emptyContent: 44004,
  contentTooLarge: 45002,
  apiFreqOutOfLimit: 45009,
  apiConcurrentOutOfLimit: 45033,
  apiForbidden: 48002,
  invalidCursor: 50100,
  invalidDepartmentId: 60123,
  userIdNotFound: 60111,
  allRecipientsInvalid: 81013,
  allRecipientsEmpty: 82001,
  invalidWebhookUrl: 93000,
} as const;

const errmsgStems: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40008: 'invalid message type',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40032: 'invalid userid list size',
  40056: 'invalid agentid',
  40058: 'invalid Request Parameter',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41010: 'url missing',
  41011: 'agentid missing',
  41016: 'title missing',
  41033: 'description missing',
  42001: 'access_token expired',
  42014: 'invalid task_id',
  42019: 'button key missing',
  42020: 'button name missing',
  44004: 'empty content',
  45002: 'content size out of limit',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  50100: 'invalid cursor',
  60111: 'userid not found',
  60123: 'invalid party id',
  81013: 'user & party & tag all invalid',
  82001: 'touser & toparty & totag all empty',
  93000: 'invalid webhook url',
};

/**
 * WeCom decorates every failing errmsg with a hint and a lookup link, e.g.
 * "invalid access_token, hint: [1709341200_12_ab12…], from ip: 1.2.3.4, more info at …?e=40014".
 * Clients must branch on errcode, never on errmsg; copying the decoration keeps them honest.
 */
export function errmsgFor(errcode: number, now: Date, detail?: string): string {
  if (errcode === 0) return 'ok';
  const stem = errmsgStems[errcode] ?? 'unknown error';
  const hint = `${Math.floor(now.getTime() / 1000)}_${randomBytes(6).toString('hex')}`;
  const what = detail ? `${stem} (${detail})` : stem;
  return `${what}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

/** Thrown inside a handler to answer `{errcode, errmsg, ...extra}` with HTTP 200, as WeCom does for API errors. */
export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${errcode}${detail ? ` ${detail}` : ''}`);
    this.name = 'WecomApiError';
  }
}
