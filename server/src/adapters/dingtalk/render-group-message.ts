import { buttonCardAsText, type GroupMessage } from '../../ports/group-notifier';

/**
 * Neutral group messages as DingTalk robot messages.
 * App robot in a group (groupMessages/send): msgKey + msgParam; it cannot @ people, so mentions are left out.
 * https://open.dingtalk.com/document/development/the-robot-sends-a-group-message
 * Custom webhook robot (自定义机器人): its own JSON body, which can @ people by userId.
 * https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
 */
/**
 * Button cards and images through the app robot (channel `dingtalk_group`, and images on `dingtalk_oto`) do not come
 * through here: robot-sender.ts sends a button card as an interactive card when the tenant's DingTalk app has a card
 * template configured (card-template.ts), and an image by uploading it (media-upload.ts) and sending `sampleImageMsg`
 * with the media_id. What is rendered here is the fallback and the custom webhook robot's form: the webhook robot's
 * actionCard buttons only open URLs and it has no image message taking an uploaded media_id, so the choices are
 * listed as text and the chart is announced; the app robot falls back to the same text when no card template is set.
 */
const imageAnnouncement = (alt: string) => `📊 ${alt}（图表可在 H5 招聘后台查看）`;

const titleOf = (markdown: string) => markdown.split('\n')[0]!.replace(/^[#*\s]+|[*\s]+$/g, '').slice(0, 40) || '通知';

export function renderDingtalkRobotTemplate(message: GroupMessage): { msgKey: string; msgParam: Record<string, string> } {
  switch (message.kind) {
    case 'text':
      return { msgKey: 'sampleText', msgParam: { content: message.content } };
    case 'markdown':
      return { msgKey: 'sampleMarkdown', msgParam: { title: titleOf(message.content), text: message.content } };
    case 'notice_card':
      return message.url
        ? { msgKey: 'sampleActionCard', msgParam: { title: message.title, text: `### ${message.title}\n${message.description ?? ''}`, singleTitle: '查看详情', singleURL: message.url } }
        : { msgKey: 'sampleMarkdown', msgParam: { title: message.title, text: `### ${message.title}\n${message.description ?? ''}` } };
    case 'button_card':
      return { msgKey: 'sampleMarkdown', msgParam: { title: message.title.slice(0, 40), text: buttonCardAsText(message) } };
    case 'image':
      return { msgKey: 'sampleMarkdown', msgParam: { title: message.alt.slice(0, 40), text: imageAnnouncement(message.alt) } };
  }
}

export function renderDingtalkWebhookBody(message: GroupMessage): Record<string, unknown> {
  switch (message.kind) {
    case 'text':
      return {
        msgtype: 'text',
        // DingTalk shows an @ only when the text names the person too.
        text: { content: `${message.content}${(message.mentionUserIds ?? []).map((id) => ` @${id}`).join('')}` },
        at: { atUserIds: message.mentionUserIds ?? [], isAtAll: false },
      };
    case 'markdown':
      return { msgtype: 'markdown', markdown: { title: titleOf(message.content), text: message.content } };
    case 'notice_card':
      return message.url
        ? { msgtype: 'actionCard', actionCard: { title: message.title, text: `### ${message.title}\n${message.description ?? ''}`, singleTitle: '查看详情', singleURL: message.url } }
        : { msgtype: 'markdown', markdown: { title: message.title, text: `### ${message.title}\n${message.description ?? ''}` } };
    case 'button_card':
      return { msgtype: 'markdown', markdown: { title: message.title.slice(0, 40), text: buttonCardAsText(message) } };
    case 'image':
      return { msgtype: 'markdown', markdown: { title: message.alt.slice(0, 40), text: imageAnnouncement(message.alt) } };
  }
}
