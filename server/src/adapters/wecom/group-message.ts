import { z } from 'zod';
import { createHash } from 'node:crypto';
import { buttonCardAsText, groupMessageCaps, type GroupMessage } from '../../ports/group-notifier';
import { SendFailedError } from '../../ports/outbound-sender';

/** Rendering the neutral GroupMessage (ports/group-notifier.ts) as WeCom message bodies. */

const groupMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), content: z.string().min(1), mentionUserIds: z.array(z.string().min(1)).optional() }),
  z.object({ kind: z.literal('markdown'), content: z.string().min(1) }),
  z.object({ kind: z.literal('notice_card'), title: z.string().min(1), description: z.string().optional(), url: z.url().optional() }),
  z.object({
    kind: z.literal('button_card'),
    cardId: z.string().regex(/^[0-9A-Za-z_\-@]{1,128}$/),
    title: z.string().min(1),
    description: z.string(),
    buttons: z
      .array(z.object({ label: z.string().min(1), key: z.string().min(1).refine((k) => Buffer.byteLength(k, 'utf8') <= groupMessageCaps.maxButtonKeyBytes), style: z.enum(['primary', 'default', 'danger']).optional() }))
      .min(1)
      .max(groupMessageCaps.maxButtons),
  }),
  z.object({ kind: z.literal('image'), pngBase64: z.base64().min(1), alt: z.string().min(1) }),
]);

/** The GroupMessage of an outbox row; a row that does not carry one can never be sent (not retryable). */
export function groupMessageOf(payload: Record<string, unknown>): GroupMessage {
  const parsed = groupMessageSchema.safeParse(payload.message);
  if (!parsed.success) throw new SendFailedError('outbox payload is not a group message', false, 'bad_payload');
  return parsed.data;
}

function noticeCard(message: Extract<GroupMessage, { kind: 'notice_card' }>) {
  return {
    card_type: 'text_notice',
    main_title: { title: message.title, ...(message.description ? { desc: message.description } : {}) },
    // text_notice needs a card action; without a URL the card only informs.
    ...(message.url ? { card_action: { type: 1, url: message.url } } : {}),
  };
}

const buttonStyle = { primary: 1, default: 2, danger: 3 } as const;

/** Cuts to at most `limit` UTF-8 bytes, marking the cut with "…". */
function cutBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limit) return text;
  let cut = text;
  while (Buffer.byteLength(`${cut}…`, 'utf8') > limit) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * 按钮交互型 template card: title, the description as sub-title text, one button per choice with its key; WeCom sends
 * a template_card_event with that key and the task_id when someone clicks.
 * https://developer.work.weixin.qq.com/document/path/101031 (模板卡片消息), 101027 (模板卡片事件)
 */
function buttonCard(message: Extract<GroupMessage, { kind: 'button_card' }>) {
  return {
    card_type: 'button_interaction',
    main_title: { title: cutBytes(message.title, 108) },
    ...(message.description ? { sub_title_text: cutBytes(message.description, 480) } : {}),
    // WeCom suggests ≤ 10 characters per button but takes more; time choices ("11月24日（周二） 15:00") need them
    // whole to stay distinct, so only absurd lengths are cut.
    button_list: message.buttons.slice(0, groupMessageCaps.maxButtons).map((b) => ({ text: cutChars(b.label, 30), style: buttonStyle[b.style ?? 'default'], key: b.key })),
    task_id: message.cardId,
  };
}

function cutChars(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

const imageAnnouncement = (alt: string) => `📊 ${alt}（图表可在 H5 招聘后台查看）`;

/** The image as a webhook robot sends it: base64 with the MD5 of the decoded bytes; too large → its description. */
function robotImage(message: Extract<GroupMessage, { kind: 'image' }>): Record<string, unknown> {
  const bytes = Buffer.from(message.pngBase64, 'base64');
  if (bytes.length > groupMessageCaps.maxImageBytes) return { msgtype: 'markdown', markdown: { content: imageAnnouncement(message.alt) } };
  return { msgtype: 'image', image: { base64: message.pngBase64, md5: createHash('md5').update(bytes).digest('hex') } };
}

/**
 * Webhook robot body: text (with mentioned_list), markdown, or a text_notice template card.
 * https://developer.work.weixin.qq.com/document/path/91770
 */
export function robotBody(message: GroupMessage): Record<string, unknown> {
  switch (message.kind) {
    case 'text':
      return { msgtype: 'text', text: { content: message.content, ...(message.mentionUserIds?.length ? { mentioned_list: [...message.mentionUserIds] } : {}) } };
    case 'markdown':
      return { msgtype: 'markdown', markdown: { content: message.content } };
    case 'notice_card':
      return { msgtype: 'template_card', template_card: noticeCard(message) };
    case 'button_card':
      // A webhook robot has no callback: its cards cannot take clicks, so the choices are listed.
      return { msgtype: 'markdown', markdown: { content: buttonCardAsText(message) } };
    case 'image':
      return robotImage(message);
  }
}

/**
 * AI-bot body (response_url and aibot_send_msg take markdown or template_card only): text becomes markdown, its
 * mentions `<@userid>`. https://developer.work.weixin.qq.com/document/path/101138 , 101463
 */
export function aibotBody(message: GroupMessage): { msgtype: 'markdown' | 'template_card'; [key: string]: unknown } {
  switch (message.kind) {
    case 'text': {
      const mentions = (message.mentionUserIds ?? []).map((id) => `<@${id}>`).join(' ');
      return { msgtype: 'markdown', markdown: { content: mentions ? `${message.content}\n${mentions}` : message.content } };
    }
    case 'markdown':
      return { msgtype: 'markdown', markdown: { content: message.content } };
    case 'notice_card':
      return { msgtype: 'template_card', template_card: noticeCard(message) };
    case 'button_card':
      return { msgtype: 'template_card', template_card: buttonCard(message) };
    case 'image':
      // response_url and aibot_send_msg take markdown or template_card only: the chart is announced.
      return { msgtype: 'markdown', markdown: { content: imageAnnouncement(message.alt) } };
  }
}
