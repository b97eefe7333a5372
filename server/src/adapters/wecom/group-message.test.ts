import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SendFailedError } from '../../ports/outbound-sender';
import { aibotBody, groupMessageOf, robotBody } from './group-message';

const card = {
  kind: 'button_card',
  cardId: 'hb_0123abcd',
  title: '确认取消这场面试？',
  description: '林** · 前端工程师 · 技术一面\n原因：候选人另有安排',
  buttons: [
    { label: '确认取消', key: 'hb1.eyJhIjoiY2FuY2VsIn0', style: 'danger' },
    { label: '不取消', key: 'hb1.eyJhIjoiZGlzbWlzcyJ9' },
  ],
} as const;
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('WeCom group message renderers: button cards and images', () => {
  it('renders a button card for the AI bot as a button_interaction template card with keys and task_id', () => {
    const body = aibotBody(groupMessageOf({ message: card }));
    expect(body).toEqual({
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: '确认取消这场面试？' },
        sub_title_text: '林** · 前端工程师 · 技术一面\n原因：候选人另有安排',
        button_list: [
          { text: '确认取消', style: 3, key: 'hb1.eyJhIjoiY2FuY2VsIn0' },
          { text: '不取消', style: 2, key: 'hb1.eyJhIjoiZGlzbWlzcyJ9' },
        ],
        task_id: 'hb_0123abcd',
      },
    });
  });

  it('cuts long titles without breaking characters, keeps time choices whole and cuts only absurd button texts', () => {
    const long = aibotBody(groupMessageOf({ message: { ...card, title: '面'.repeat(60), buttons: [{ label: '11月24日（周二） 03:00', key: 'k1' }, { label: '11月24日（周二） 15:00', key: 'k2' }, { label: '长'.repeat(40), key: 'k3' }] } }));
    const tc = long.template_card as { main_title: { title: string }; button_list: { text: string }[] };
    expect(Buffer.byteLength(tc.main_title.title, 'utf8')).toBeLessThanOrEqual(108);
    expect(tc.main_title.title.endsWith('…')).toBe(true);
    expect(tc.button_list.map((b) => b.text)).toEqual(['11月24日（周二） 03:00', '11月24日（周二） 15:00', `${'长'.repeat(29)}…`]);
  });

  it('lists a button card’s choices as markdown for a webhook robot, which cannot take clicks', () => {
    expect(robotBody(groupMessageOf({ message: card }))).toEqual({
      msgtype: 'markdown',
      markdown: { content: '**确认取消这场面试？**\n林** · 前端工程师 · 技术一面\n原因：候选人另有安排\n\n可选：确认取消 ／ 不取消（请带上所选内容重新发送命令）' },
    });
  });

  it('sends an image through a webhook robot as base64 with the MD5 of the bytes; the AI bot announces it', () => {
    const message = groupMessageOf({ message: { kind: 'image', pngBase64: png.toString('base64'), alt: '前端工程师 招聘漏斗（近30天）' } });
    expect(robotBody(message)).toEqual({ msgtype: 'image', image: { base64: png.toString('base64'), md5: createHash('md5').update(png).digest('hex') } });
    expect(aibotBody(message)).toEqual({ msgtype: 'markdown', markdown: { content: '📊 前端工程师 招聘漏斗（近30天）（图表可在 H5 招聘后台查看）' } });
  });

  it('announces an image over the 2 MB robot cap instead of sending it', () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 7).toString('base64');
    expect(robotBody(groupMessageOf({ message: { kind: 'image', pngBase64: big, alt: '大图' } }))).toMatchObject({ msgtype: 'markdown' });
  });

  it.each([
    ['no buttons', { ...card, buttons: [] }],
    ['seven buttons', { ...card, buttons: Array.from({ length: 7 }, (_, i) => ({ label: `b${i}`, key: `k${i}` })) }],
    ['a task_id WeCom refuses', { ...card, cardId: 'has space' }],
    ['a key over 1024 bytes', { ...card, buttons: [{ label: 'x', key: '键'.repeat(342) }] }],
    ['an image that is not base64', { kind: 'image', pngBase64: '***', alt: 'x' }],
  ])('refuses a payload with %s as never sendable', (_, message) => {
    expect(() => groupMessageOf({ message })).toThrow(SendFailedError);
  });
});
