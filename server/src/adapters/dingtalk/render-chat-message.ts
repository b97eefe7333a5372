import type { ChatButton, ChatMessage } from '../../domain/chat-message';

/**
 * Neutral chat messages as DingTalk app-robot message templates (`msgKey` + `msgParam`), for
 * POST /v1.0/robot/oToMessages/batchSend. Templates: https://open.dingtalk.com/document/orgapp/robot-message-types-and-data-format
 *
 * Cards: a robot's 1:1 template message has no callback buttons — an action card's buttons are links, nothing comes
 * back to the app when one is pressed. Buttons that call back need DingTalk interactive cards
 * (/v1.0/card/instances/createAndDeliver with a card template made in the card builder), which the HR bot's button
 * cards use in groups and 1:1 when the tenant has a template (robot-sender.ts, card-template.ts). These employee
 * notifications do not: every button here opens a HireBridge page (`/chat/card-action?card=…&action=…`) where the
 * person signs in and the action happens; the page, not the card, shows that it is done.
 */
export interface DingtalkTemplate {
  readonly msgKey: string;
  readonly msgParam: Record<string, string>;
}

/** msgParam must stay ≤ 15000 bytes as a JSON string (platform.md §7.3); the text leaves room for the other fields. */
const textLimitBytes = 12_000;
/** sampleActionCard2…5 carry 2…5 buttons (actionTitleN / actionURLN). */
const maxButtons = 5;

function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limit) return text;
  let cut = text;
  while (Buffer.byteLength(`${cut}…`, 'utf8') > limit) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Opens `url` inside the DingTalk client (PC: the side panel) instead of the system browser, so the person stays
 * signed in to DingTalk and the page can use 免登 (dd.getAuthCode).
 * https://open.dingtalk.com/document/orgapp/message-link-description
 */
export function inDingtalk(url: string): string {
  return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`;
}

/** The HireBridge page a card button leads to: names the card and the button's key, as a WeCom click event would. */
export function cardActionUrl(publicUrl: string, cardId: string, key: string): string {
  const url = new URL('/chat/card-action', publicUrl);
  url.searchParams.set('card', cardId);
  url.searchParams.set('action', key);
  return url.toString();
}

function cardText(message: Extract<ChatMessage, { kind: 'card' }>): string {
  const lines = [`#### ${message.title}`];
  if (message.description) lines.push('', message.description);
  if (message.fields?.length) lines.push('', ...message.fields.map((f) => `- **${f.label}**：${f.value}`));
  return truncateBytes(lines.join('\n'), textLimitBytes);
}

/** Danger buttons read as such without colour (action-card buttons have no style). */
const buttonTitle = (b: ChatButton) => (b.style === 'danger' ? `⚠️ ${b.text}` : b.text).slice(0, 20);

export function renderDingtalkMessage(message: ChatMessage, options: { publicUrl: string }): DingtalkTemplate {
  switch (message.kind) {
    case 'text':
      return { msgKey: 'sampleText', msgParam: { content: truncateBytes(message.text, textLimitBytes) } };
    case 'markdown':
      // `title` only shows in the conversation list and the notification; the body repeats it as a heading.
      return {
        msgKey: 'sampleMarkdown',
        msgParam: { title: message.title.slice(0, 64), text: truncateBytes(`#### ${message.title}\n\n${message.markdown}`, textLimitBytes) },
      };
    case 'card': {
      const title = message.title.slice(0, 64);
      const text = cardText(message);
      const buttons = message.buttons.slice(0, maxButtons);
      if (buttons.length === 0) {
        if (!message.url) return { msgKey: 'sampleMarkdown', msgParam: { title, text } };
        return { msgKey: 'sampleActionCard', msgParam: { title, text, singleTitle: '查看详情', singleURL: inDingtalk(message.url) } };
      }
      const urlOf = (b: ChatButton) => inDingtalk(cardActionUrl(options.publicUrl, message.cardId, b.key));
      if (buttons.length === 1) {
        return { msgKey: 'sampleActionCard', msgParam: { title, text, singleTitle: buttonTitle(buttons[0]!), singleURL: urlOf(buttons[0]!) } };
      }
      const msgParam: Record<string, string> = { title, text };
      buttons.forEach((b, i) => {
        msgParam[`actionTitle${i + 1}`] = buttonTitle(b);
        msgParam[`actionURL${i + 1}`] = urlOf(b);
      });
      return { msgKey: `sampleActionCard${buttons.length}`, msgParam };
    }
  }
}
