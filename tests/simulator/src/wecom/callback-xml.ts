/**
 * Inner (decrypted) XML of the callbacks WeCom posts to an app, element for element as in
 * https://developer.work.weixin.qq.com/document/path/90239 (消息格式), 90240 (事件格式) and 90970 (成员变更通知).
 */

/** Wraps text in CDATA; a "]]>" inside is split over two sections so it cannot end the section early. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

export interface TextMessageInput {
  readonly corpId: string;
  readonly fromUser: string;
  readonly content: string;
  readonly agentId: number;
  /** Unix seconds. */
  readonly createTime: number;
  readonly msgId: string;
}

export function textMessageXml(m: TextMessageInput): string {
  return (
    `<xml><ToUserName>${cdata(m.corpId)}</ToUserName><FromUserName>${cdata(m.fromUser)}</FromUserName>` +
    `<CreateTime>${m.createTime}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(m.content)}</Content>` +
    `<MsgId>${m.msgId}</MsgId><AgentID>${m.agentId}</AgentID></xml>`
  );
}

export interface TemplateCardEventInput {
  readonly corpId: string;
  readonly fromUser: string;
  readonly createTime: number;
  readonly eventKey: string;
  readonly taskId: string;
  readonly cardType: string;
  readonly responseCode: string;
  readonly agentId: number;
}

export function templateCardEventXml(e: TemplateCardEventInput): string {
  return (
    `<xml><ToUserName>${cdata(e.corpId)}</ToUserName><FromUserName>${cdata(e.fromUser)}</FromUserName>` +
    `<CreateTime>${e.createTime}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata('template_card_event')}</Event><EventKey>${cdata(e.eventKey)}</EventKey>` +
    `<TaskId>${cdata(e.taskId)}</TaskId><CardType>${cdata(e.cardType)}</CardType>` +
    `<ResponseCode>${cdata(e.responseCode)}</ResponseCode><AgentID>${e.agentId}</AgentID></xml>`
  );
}

export type ChangeType = 'create_user' | 'update_user' | 'delete_user';

export interface ChangeContactInput {
  readonly corpId: string;
  readonly createTime: number;
  readonly changeType: ChangeType;
  readonly userId: string;
  readonly name?: string;
  readonly department?: readonly number[];
}

export function changeContactXml(c: ChangeContactInput): string {
  const optional =
    (c.name === undefined ? '' : `<Name>${cdata(c.name)}</Name>`) +
    (c.department === undefined ? '' : `<Department>${cdata(c.department.join(','))}</Department>`);
  return (
    `<xml><ToUserName>${cdata(c.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName>` +
    `<CreateTime>${c.createTime}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata('change_contact')}</Event><ChangeType>${cdata(c.changeType)}</ChangeType>` +
    `<UserID>${cdata(c.userId)}</UserID>${optional}</xml>`
  );
}

/** The outer envelope of a POST callback: only ToUserName, AgentID and the ciphertext travel in the clear. */
export function envelopeXml(corpId: string, agentId: number, encrypted: string): string {
  return (
    `<xml><ToUserName>${cdata(corpId)}</ToUserName><AgentID>${cdata(String(agentId))}</AgentID>` +
    `<Encrypt>${cdata(encrypted)}</Encrypt></xml>`
  );
}

/** Reads one element's text, with or without CDATA. Enough for the flat XML WeCom exchanges. */
export function xmlField(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  if (!match) return undefined;
  return match[1] ?? match[2];
}
