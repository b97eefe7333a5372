import type { Clock } from '../clock';
import { applyCardUpdate, findCard, issueResponseCode } from './cards';
import { addMemberSchedule, wecomCalendarOf, type SimSchedule } from './calendar';
import {
  type CallbackTiming,
  type DeliveryReport,
  type PassiveReply,
  type UrlVerification,
  defaultCallbackTiming,
  deliverCallback,
  randomMsgId,
  readPassiveReply,
  verifyCallbackUrl,
} from './callbacks';
import { type ChangeType, changeContactXml, templateCardEventXml, textMessageXml, xmlField } from './callback-xml';
import type { CorpConfig, DepartmentInput, DroppedMessage, ReceivedMessage, UserInput } from './corp';
import { type RobotMessage, WecomState } from './state';
import { issueWecomLoginCode, type WecomLoginCodeInput } from './sign-in';

export interface ClickResult {
  readonly responseCode: string;
  readonly delivery: DeliveryReport;
  /** The decrypted passive reply, if the app answered the click with one. */
  readonly passiveReply?: PassiveReply;
}

/** `sim.wecom`: script the simulated WeCom tenants and inspect what the system under test did to them. */
export class WecomSimulator {
  readonly state: WecomState;
  readonly callbackTiming: CallbackTiming;

  constructor(
    private readonly clock: Clock,
    timing: Partial<CallbackTiming> = {},
  ) {
    this.state = new WecomState(clock);
    this.callbackTiming = { ...defaultCallbackTiming, ...timing };
  }

  addCorp(config: CorpConfig): void {
    this.state.addCorp(config);
  }

  addDepartment(corpId: string, department: DepartmentInput): void {
    this.state.corp(corpId).addDepartment(department);
  }

  addUser(corpId: string, user: UserInput): void {
    this.state.corp(corpId).addUser(user);
  }

  removeUser(corpId: string, userid: string): void {
    this.state.corp(corpId).removeUser(userid);
  }

  addRobot(robot: { key: string; chatName: string }): void {
    this.state.robots.set(robot.key, { ...robot });
  }

  /** Revokes every live token of the corp before its expiry, as WeCom may; the next call with one answers 40014. */
  invalidateTokens(corpId: string): number {
    this.state.corp(corpId);
    return this.state.tokens.invalidate(corpId);
  }

  /**
   * A sign-in code as `wx.qy.login()` (kind 'miniapp') or the web login page after a scan (kind 'web') hands it
   * out: single use, 5 minutes, bound to the corp and app (src/wecom/sign-in.ts).
   */
  issueLoginCode(input: WecomLoginCodeInput): string {
    return issueWecomLoginCode(this.state, input);
  }

  /** What the WeCom client does with a page's wx.config (no agentId) or wx.agentConfig signature. */
  verifyJsSignature(input: { corpId: string; agentId?: number; url: string; nonceStr: string; timestamp: number; signature: string }): boolean {
    return this.state.tickets.verify(input);
  }

  /** The next `count` calls to `path` (e.g. "/cgi-bin/message/send") answer `errcode` before any other check. */
  failNext(path: string, errcode: number, count = 1): void {
    const queue = this.state.failures.get(path) ?? [];
    queue.push({ errcode, remaining: count });
    this.state.failures.set(path, queue);
  }

  /** API calls made to `path`, including refused ones. */
  calls(path: string): number {
    return this.state.callCounts.get(path) ?? 0;
  }

  /** Messages that reached the member, oldest first. Cards reflect later updates. */
  received(userid: string, corpId?: string): ReceivedMessage[] {
    return [...this.state.corpOfMember(userid, corpId).received(userid)];
  }

  /** Messages answered with errcode 0 that never reached the member (rate caps, duplicate check). */
  dropped(userid: string, corpId?: string): DroppedMessage[] {
    return [...this.state.corpOfMember(userid, corpId).dropped(userid)];
  }

  /** Live schedules (日程) the member attends or administers, from any app or their own (src/wecom/calendar.ts). */
  schedules(userid: string, corpId?: string): SimSchedule[] {
    const corp = this.state.corpOfMember(userid, corpId);
    return wecomCalendarOf(this.state).schedulesOf(corp.config.corpId, userid);
  }

  /** The member's own meeting made in the WeCom client: in `schedules(userid)`, invisible to every app's API. */
  addMemberSchedule(corpId: string, input: { userid: string; startTime: Date; endTime: Date; summary?: string }): SimSchedule {
    return addMemberSchedule(this.state, corpId, input);
  }

  robotMessages(key: string): RobotMessage[] {
    return [...(this.state.robotInbox.get(key) ?? [])];
  }

  verifyCallbackUrl(corpId: string): Promise<UrlVerification> {
    return verifyCallbackUrl(this.state.corp(corpId), this.clock, this.callbackTiming);
  }

  /** POSTs `innerXml` encrypted and signed to the corp's callback URL, with WeCom's retries. */
  deliver(corpId: string, agentId: number, innerXml: string): Promise<DeliveryReport> {
    return deliverCallback(this.state.corp(corpId), this.clock, this.callbackTiming, agentId, innerXml);
  }

  /** A member writes `content` to the app: delivers a text message callback. */
  memberSays(corpId: string, agentId: number, userid: string, content: string): Promise<DeliveryReport> {
    return this.deliver(
      corpId,
      agentId,
      textMessageXml({ corpId, fromUser: userid, content, agentId, createTime: this.unixNow(), msgId: randomMsgId() }),
    );
  }

  /** The directory changed: delivers a change_contact event. */
  contactChanged(corpId: string, agentId: number, changeType: ChangeType, userid: string): Promise<DeliveryReport> {
    const member = this.state.corp(corpId).member(userid);
    return this.deliver(
      corpId,
      agentId,
      changeContactXml({
        corpId,
        createTime: this.unixNow(),
        changeType,
        userId: userid,
        ...(member && changeType !== 'delete_user' ? { name: member.name, department: member.department } : {}),
      }),
    );
  }

  /**
   * A member clicks a button of a card they received: template_card_event with a fresh single-use ResponseCode.
   * Validation errors throw at once; the returned promise settles when delivery (with retries) is over.
   * https://developer.work.weixin.qq.com/document/path/90240 (模板卡片事件推送)
   */
  startClick(userid: string, taskId: string, buttonKey: string, corpId?: string) {
    const corp = this.state.corpOfMember(userid, corpId);
    const message = corp.received(userid).find((m) => m.card?.taskId === taskId);
    const card = message?.card;
    if (!message || !card) throw new Error(`${userid} has no card with task_id ${taskId}`);
    if (card.replaceName !== undefined) throw new Error(`card ${taskId} was already handled ("${card.replaceName}")`);
    if (card.buttons.length > 0 && !card.buttons.some((b) => b.key === buttonKey)) {
      throw new Error(`card ${taskId} has no button ${buttonKey}`);
    }
    const responseCode = issueResponseCode(this.state, corp.config.corpId, message.agentId, taskId);
    const xml = templateCardEventXml({
      corpId: corp.config.corpId,
      fromUser: corp.member(userid)?.userid ?? userid,
      createTime: this.unixNow(),
      eventKey: buttonKey,
      taskId,
      cardType: card.cardType,
      responseCode,
      agentId: message.agentId,
    });
    const done = this.deliver(corp.config.corpId, message.agentId, xml).then((delivery): ClickResult => {
      const passiveReply = delivery.reply === undefined ? undefined : readPassiveReply(corp, delivery.reply);
      // Passive reply "update_button" greys out the buttons for the member who clicked.
      // https://developer.work.weixin.qq.com/document/path/96469
      if (passiveReply?.ok && xmlField(passiveReply.xml, 'MsgType') === 'update_button') {
        const replaceName = xmlField(passiveReply.xml, 'ReplaceName');
        const current = findCard(corp, userid, message.agentId, taskId);
        if (replaceName && current) applyCardUpdate(current, { replaceName });
      }
      return { responseCode, delivery, ...(passiveReply ? { passiveReply } : {}) };
    });
    return { responseCode, done };
  }

  async clickCard(userid: string, taskId: string, buttonKey: string, corpId?: string): Promise<ClickResult> {
    return this.startClick(userid, taskId, buttonKey, corpId).done;
  }

  private unixNow(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}
