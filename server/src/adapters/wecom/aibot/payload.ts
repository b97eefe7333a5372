import { z } from 'zod';

/**
 * The decrypted JSON an AI bot (智能机器人) receives, in callback mode (after decryption) and over the long connection
 * (the `body` of `aibot_msg_callback` / `aibot_event_callback` frames): messages, stream refreshes and events.
 * https://developer.work.weixin.qq.com/document/path/100719 (接收消息), 101027 (接收事件)
 *
 * Everything that reaches the inbox has passed this parser, so it refuses what PostgreSQL's jsonb would refuse
 * (U+0000, lone surrogates) and what is too deep or too large to be a WeCom callback — a refusal before any write,
 * never a database error that makes WeCom retry for ever.
 */
export class AibotPayloadRejectedError extends Error {
  constructor(detail: string) {
    super(`AI-bot payload rejected: ${detail}`);
    this.name = 'AibotPayloadRejectedError';
  }
}

const maxDepth = 16;
const maxNodes = 5000;
const maxTextBytes = 64 * 1024;
const loneSurrogate = /\p{Cs}/u;

/** Walks the parsed JSON without recursion; throws on text jsonb cannot store, or on absurd depth/size. */
function assertStorable(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  let nodes = 0;
  const checkText = (text: string) => {
    if (text.includes('\u0000') || loneSurrogate.test(text)) throw new AibotPayloadRejectedError('text jsonb cannot store');
  };
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++nodes > maxNodes) throw new AibotPayloadRejectedError('too many values');
    if (depth > maxDepth) throw new AibotPayloadRejectedError('nested too deeply');
    if (typeof value === 'string') checkText(value);
    else if (Array.isArray(value)) for (const item of value) stack.push({ value: item, depth: depth + 1 });
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        checkText(key);
        stack.push({ value: item, depth: depth + 1 });
      }
    }
  }
}

const id = z.string().min(1).max(512);
const text = z.string().max(maxTextBytes);
const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'not an http(s) URL');

const common = {
  msgid: id,
  aibotid: id,
  chatid: id.optional(),
  from: z.looseObject({ userid: id, corpid: z.string().max(512).optional() }),
  create_time: z.number().int().nonnegative().optional(),
};

const chatType = z.enum(['single', 'group']);

const messageBase = z.looseObject({ ...common, chattype: chatType, msgtype: z.string().min(1).max(64), response_url: httpUrl.optional() });
const textBody = z.looseObject({ text: z.looseObject({ content: text }) });
const voiceBody = z.looseObject({ voice: z.looseObject({ content: text }) });
const mixedBody = z.looseObject({
  mixed: z.looseObject({
    msg_item: z
      .array(z.looseObject({ msgtype: z.string().max(64), text: z.looseObject({ content: text }).optional() }))
      .max(100),
  }),
});
const mediaBody = (key: string) => z.looseObject({ [key]: z.looseObject({ url: z.string().max(4096).optional() }) });
const streamRefresh = z.looseObject({ ...common, chattype: chatType, msgtype: z.literal('stream'), stream: z.looseObject({ id: id }) });
const eventBase = z.looseObject({
  ...common,
  chattype: chatType.optional(),
  msgtype: z.literal('event'),
  event: z.looseObject({ eventtype: z.string().min(1).max(64).regex(/^[a-z_]+$/) }),
});

interface Identity {
  readonly msgid: string;
  readonly botId: string;
  readonly chatId?: string;
  readonly fromUserId: string;
}

export type AibotPayload =
  | (Identity & {
      readonly type: 'message';
      readonly chatType: 'single' | 'group';
      readonly msgtype: string;
      /** The text as sent, "@Bot" prefix included; "" for messages without text. */
      readonly text: string;
      readonly responseUrl?: string;
      readonly raw: Record<string, unknown>;
    })
  | (Identity & { readonly type: 'stream_refresh'; readonly chatType: 'single' | 'group'; readonly streamId: string })
  | (Identity & { readonly type: 'event'; readonly chatType?: 'single' | 'group'; readonly eventType: string; readonly raw: Record<string, unknown> });

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AibotPayloadRejectedError(`${what}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`);
  }
  return result.data;
}

function textOf(msgtype: string, raw: unknown): string {
  switch (msgtype) {
    case 'text':
      return parsed(textBody, raw, 'text message').text.content;
    case 'voice':
      // Voice arrives already transcribed (voice.content).
      return parsed(voiceBody, raw, 'voice message').voice.content;
    case 'mixed':
      return parsed(mixedBody, raw, 'mixed message')
        .mixed.msg_item.map((item) => item.text?.content ?? '')
        .filter(Boolean)
        .join('\n');
    case 'image':
    case 'file':
    case 'video':
      parsed(mediaBody(msgtype), raw, `${msgtype} message`);
      return '';
    default:
      // A message type WeCom adds later is kept (text "") rather than refused and retried for ever.
      return '';
  }
}

/** Validates an already-parsed AI-bot payload (a long-connection frame body, or decrypted callback JSON). */
export function parseAibotObject(value: unknown): AibotPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AibotPayloadRejectedError('not a JSON object');
  assertStorable(value);
  const raw = value as Record<string, unknown>;
  if (raw.msgtype === 'event') {
    const event = parsed(eventBase, raw, 'event');
    return {
      type: 'event',
      msgid: event.msgid,
      botId: event.aibotid,
      fromUserId: event.from.userid,
      eventType: event.event.eventtype,
      ...(event.chatid === undefined ? {} : { chatId: event.chatid }),
      ...(event.chattype === undefined ? {} : { chatType: event.chattype }),
      raw,
    };
  }
  if (raw.msgtype === 'stream') {
    const refresh = parsed(streamRefresh, raw, 'stream refresh');
    return {
      type: 'stream_refresh',
      msgid: refresh.msgid,
      botId: refresh.aibotid,
      fromUserId: refresh.from.userid,
      chatType: refresh.chattype,
      streamId: refresh.stream.id,
      ...(refresh.chatid === undefined ? {} : { chatId: refresh.chatid }),
    };
  }
  const message = parsed(messageBase, raw, 'message');
  // "chatid: 会话id，仅群聊类型时候返回" — a group message without it cannot be answered in its group.
  if (message.chattype === 'group' && message.chatid === undefined) throw new AibotPayloadRejectedError('group message without chatid');
  return {
    type: 'message',
    msgid: message.msgid,
    botId: message.aibotid,
    fromUserId: message.from.userid,
    chatType: message.chattype,
    msgtype: message.msgtype,
    text: textOf(message.msgtype, raw),
    ...(message.chatid === undefined ? {} : { chatId: message.chatid }),
    ...(message.response_url === undefined ? {} : { responseUrl: message.response_url }),
    raw,
  };
}

/** Parses decrypted callback text; throws AibotPayloadRejectedError for anything that is not a valid payload. */
export function parseAibotPayload(json: string): AibotPayload {
  if (json.length > 256 * 1024) throw new AibotPayloadRejectedError('too large');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new AibotPayloadRejectedError('not JSON');
  }
  return parseAibotObject(value);
}

/**
 * The text without the leading mention of the bot. WeCom puts "@<bot name>" first in a group message's content and
 * separates mentions with U+2005 (four-per-em space), which `\s` covers. With the bot's name known, exactly that
 * mention is removed; without it, in a group, the first "@word".
 */
export function stripBotMention(text: string, chatType: 'single' | 'group', botName?: string): string {
  let rest = text.trimStart();
  const afterName = botName ? rest.slice(botName.length + 1) : undefined;
  if (botName && rest.startsWith(`@${botName}`) && (afterName === '' || /^\s/u.test(afterName ?? ''))) rest = afterName ?? '';
  else if (chatType === 'group' && rest.startsWith('@')) rest = rest.replace(/^@\S*/u, '');
  return rest.trim();
}
