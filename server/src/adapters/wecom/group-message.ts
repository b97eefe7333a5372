import { z } from 'zod';
import type { GroupMessage } from '../../ports/group-notifier';
import { SendFailedError } from '../../ports/outbound-sender';

/** Rendering the neutral GroupMessage (ports/group-notifier.ts) as WeCom message bodies. */

const groupMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), content: z.string().min(1), mentionUserIds: z.array(z.string().min(1)).optional() }),
  z.object({ kind: z.literal('markdown'), content: z.string().min(1) }),
  z.object({ kind: z.literal('notice_card'), title: z.string().min(1), description: z.string().optional(), url: z.url().optional() }),
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
  }
}
