import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';

/** One 智能机器人 (AI bot) as configured in the WeCom admin console. */
export interface AibotConfig {
  /** Bot ID (`aibotid` in callbacks, `bot_id` when subscribing over the long connection). */
  readonly botId: string;
  /** Long-connection secret. */
  readonly secret: string;
  /** Display name: group members type "@<name>" and callbacks carry it in `text.content`. */
  readonly name?: string;
  /** Callback (API) mode: 接收消息 Token / EncodingAESKey / URL. */
  readonly token?: string;
  readonly encodingAesKey?: string;
  readonly callbackUrl?: string;
}

/** What a chat shows: a message the bot posted into a group or a 1:1 chat, by whichever channel. */
export interface BotPost {
  readonly botId: string;
  /** The group's chatid, or `single:<userid>` for a 1:1 chat. */
  readonly chatKey: string;
  readonly via: 'stream' | 'response_url' | 'long_connection_reply' | 'push';
  readonly msgtype: string;
  readonly content?: string;
  readonly body: Record<string, unknown>;
  readonly at: Date;
}

export interface ResponseUrlRecord {
  readonly botId: string;
  readonly chatKey: string;
  readonly issuedAtMs: number;
  usedAtMs?: number;
  /** POSTs refused because the URL was used, expired or unknown. */
  refusals: number;
}

/** Time limits of the AI bot, in one place. */
export const aibotLimits = {
  // https://developer.work.weixin.qq.com/document/path/101138 : one POST per response_url, valid for one hour.
  responseUrlValidityMs: 3_600_000,
  // https://developer.work.weixin.qq.com/document/path/100719 : stream refreshes stop 6 minutes after the user's message.
  streamWindowMs: 6 * 60_000,
  // https://developer.work.weixin.qq.com/document/path/101463 : stream content ≤ 20480 bytes.
  maxStreamContentBytes: 20_480,
} as const;

/**
 * Error codes of the AI bot simulator. WeCom documents none for these situations; the choices are explained in
 * README.md. 846605/846608 are what public long-connection clients branch on ("invalid req_id", "stream message
 * update expired").
 */
export const aibotErrcodes = {
  invalidCredential: 40001,
  invalidMsgType: 40008,
  invalidParameter: 40058,
  emptyContent: 44004,
  contentTooLarge: 45002,
  invalidReqId: 846605,
  streamExpired: 846608,
} as const;

export function chatKeyOf(chatType: 'single' | 'group', chatId: string | undefined, userid: string): string {
  return chatType === 'group' && chatId ? chatId : `single:${userid}`;
}

/** WeCom's AI-bot msgids look like base64 of a protobuf ("CAIQ16HMjQYY…"); any unique opaque string will do. */
export function newMsgId(): string {
  return `CAIQ${randomBytes(18).toString('base64')}`;
}

export class AibotState {
  readonly bots = new Map<string, AibotConfig>();
  readonly posts: BotPost[] = [];
  readonly responseUrls = new Map<string, ResponseUrlRecord>();
  /** Group chatids seen so far; a proactive push to any other chatid goes to a member's 1:1 chat. */
  readonly groups = new Set<string>();
  /** task_ids of the button cards each bot posted: "同一个机器人不能重复" (a repeated one is refused). */
  readonly taskIds = new Map<string, Set<string>>();
  /** Temporary media uploaded over the long connection (三步分片上传), by media_id. */
  readonly media = new Map<string, { readonly botId: string; readonly type: string; readonly filename: string; readonly bytes: Buffer }>();
  /** Uploads in progress, by upload_id. */
  readonly uploads = new Map<string, { readonly botId: string; readonly type: string; readonly filename: string; readonly totalSize: number; readonly totalChunks: number; readonly md5?: string; readonly chunks: Map<number, Buffer> }>();
  /** Set once the simulator listens: response_urls point back at it. */
  baseUrl = 'http://127.0.0.1';

  constructor(readonly clock: Clock) {}

  bot(botId: string): AibotConfig {
    const bot = this.bots.get(botId);
    if (!bot) throw new Error(`unknown AI bot ${botId}`);
    return bot;
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  issueResponseUrl(botId: string, chatKey: string): string {
    const code = randomBytes(24).toString('base64url');
    this.responseUrls.set(code, { botId, chatKey, issuedAtMs: this.nowMs(), refusals: 0 });
    return `${this.baseUrl}/cgi-bin/aibot/response?response_code=${code}`;
  }

  /** Claims a button card's task_id for the bot; false when the bot used it before. */
  claimTaskId(botId: string, taskId: string): boolean {
    const used = this.taskIds.get(botId) ?? new Set<string>();
    this.taskIds.set(botId, used);
    if (used.has(taskId)) return false;
    used.add(taskId);
    return true;
  }

  post(post: Omit<BotPost, 'at'>): void {
    this.posts.push({ ...post, at: this.clock.now() });
  }
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
