import type { ChatCardUpdate, ChatMessage } from '../../domain/chat-message';

/**
 * Neutral chat messages as WeCom application messages.
 * Types and limits: https://developer.work.weixin.qq.com/document/path/90236 ; cards:
 * https://developer.work.weixin.qq.com/document/path/101032
 */
const textLimitBytes = 2048;

function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limit) return text;
  let cut = text;
  while (Buffer.byteLength(`${cut}…`, 'utf8') > limit) cut = cut.slice(0, -1);
  return `${cut}…`;
}

const buttonStyle = { primary: 1, default: 2, danger: 3 } as const;

export function renderWecomMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.kind) {
    case 'text':
      return { msgtype: 'text', text: { content: truncateBytes(message.text, textLimitBytes) } };
    case 'markdown':
      // Markdown shows only in WeCom clients; the title leads so that WeChat's 微工作台 degradation still reads well.
      return { msgtype: 'markdown', markdown: { content: truncateBytes(`**${message.title}**\n${message.markdown}`, textLimitBytes) } };
    case 'card':
      return {
        msgtype: 'template_card',
        template_card: {
          card_type: 'button_interaction',
          task_id: message.cardId.replace(/[^0-9a-zA-Z_\-@]/g, '_').slice(0, 128),
          main_title: { title: message.title.slice(0, 36), ...(message.description && { desc: message.description.slice(0, 44) }) },
          ...(message.fields?.length && {
            horizontal_content_list: message.fields.slice(0, 6).map((f) => ({ keyname: f.label.slice(0, 5), value: f.value.slice(0, 26) })),
          }),
          ...(message.url && { card_action: { type: 1, url: message.url } }),
          button_list: message.buttons.slice(0, 6).map((b) => ({ text: b.text.slice(0, 10), key: b.key.slice(0, 64), style: buttonStyle[b.style ?? 'default'] })),
        },
      };
  }
}

export function renderWecomCardUpdate(update: ChatCardUpdate, agentId: number): Record<string, unknown> {
  return { userids: update.recipients, agentid: agentId, response_code: update.responseCode, button: { replace_name: update.replaceButtonText.slice(0, 10) } };
}
