import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { type DingtalkAppConfig, type DingtalkDelivered, DingtalkState, type DingtalkGroupInput, type DingtalkUserInput } from './state';
import { addOwnEvent, dingtalkCalendarOf, type SimEvent } from './calendar';
import { addDepartment, addMember, dingtalkContactsOf, removeMember, updateMember, type SimDingtalkMember, type SimDingtalkMemberInput } from './contacts';
import { issueDingtalkAuthCode, type DingtalkAuthCodeInput } from './sign-in';
import { type RecordedAck, StreamGateway, type StreamFrame, type StreamTiming, TOPIC_ROBOT } from './stream';
import { buttonsOf, clickButton, clickCard, dingtalkCardsOf, type SimCard, type SimMedia } from './cards';

/** Session webhooks live about 1.5 h (observed `sessionWebhookExpiredTime` ≈ createAt + 5400 s). */
const sessionLifetimeMs = 90 * 60_000;

export interface PushedMessage {
  /** The stream frame's `headers.messageId` (what the client acks). */
  readonly messageId: string;
  /** The robot message's own `msgId` (what the client dedupes on). */
  readonly msgId: string;
  readonly sessionWebhook: string;
}

/**
 * `sim.dingtalk`: script the simulated DingTalk and inspect what the system under test did to it.
 * Robot messages reach the app over Stream mode; sends go to the robot APIs.
 */
export class DingtalkSimulator {
  readonly state: DingtalkState;
  readonly gateway: StreamGateway;
  private baseUrl = '';

  constructor(
    private readonly clock: Clock,
    timing: Partial<StreamTiming> = {},
  ) {
    this.state = new DingtalkState(clock);
    this.gateway = new StreamGateway(this.state, timing);
  }

  /** Called by startSimulator once its port is known: `baseUrl` is the API server, the stream gets a port of its own. */
  async listen(baseUrl: string, host: string): Promise<void> {
    this.baseUrl = baseUrl;
    await this.gateway.listen(host);
  }

  close(): Promise<void> {
    return this.gateway.close();
  }

  addApp(app: DingtalkAppConfig): void {
    this.state.apps.set(app.appKey, { ...app });
  }

  addUser(user: DingtalkUserInput): void {
    this.state.users.set(user.userId, { ...user });
  }

  addGroup(group: DingtalkGroupInput): void {
    this.state.groups.set(group.openConversationId, { ...group });
  }

  /** A custom (webhook) robot of a group; `secret` turns on 加签. */
  addWebhookRobot(robot: { accessToken: string; chatName: string; secret?: string }): void {
    this.state.webhookRobots.set(robot.accessToken, { ...robot });
  }

  /** The next `count` 1:1 robot sends to `userId` come back in `flowControlledStaffIdList`, undelivered. */
  flowControlNext(userId: string, count = 1): void {
    this.state.flowControl.set(userId, (this.state.flowControl.get(userId) ?? 0) + count);
  }

  invalidateTokens(appKey: string): number {
    return this.state.invalidateTokens(appKey);
  }

  /**
   * An authCode as `dd.getAuthCode` (kind 'miniapp', bound to the corp) or the web login page (kind 'web', bound to
   * the app) hands it out: single use, 5 minutes (src/dingtalk/sign-in.ts).
   */
  issueAuthCode(input: DingtalkAuthCodeInput): string {
    return issueDingtalkAuthCode(this.state, input);
  }

  calls(path: string): number {
    return this.state.callCounts.get(path) ?? 0;
  }

  /** A person writes to the app's robot in a 1:1 chat (conversationType "1"). */
  userSays(input: { appKey: string; userId: string; text: string; senderNick?: string }): PushedMessage {
    const app = this.app(input.appKey);
    const conversationId = `cid${Buffer.from(`${app.robotCode}:${input.userId}`).toString('base64')}`;
    return this.pushRobotMessage(app, {
      conversationId,
      conversationType: '1',
      senderStaffId: input.userId,
      senderNick: input.senderNick ?? this.state.users.get(input.userId)?.name ?? input.userId,
      text: input.text,
      session: { conversationId, userId: input.userId },
    });
  }

  /**
   * A person @-mentions the robot in a group (conversationType "2"). In groups the robot only receives messages
   * that @ it, so `isInAtList` is always true here.
   */
  groupAtBot(input: { appKey: string; openConversationId: string; userId: string; text: string; atUserIds?: readonly string[] }): PushedMessage {
    const app = this.app(input.appKey);
    const group = this.state.groups.get(input.openConversationId);
    return this.pushRobotMessage(app, {
      conversationId: input.openConversationId,
      conversationType: '2',
      conversationTitle: group?.title ?? '群聊',
      senderStaffId: input.userId,
      senderNick: this.state.users.get(input.userId)?.name ?? input.userId,
      // DingTalk strips the @robot mention and leaves the leading space.
      text: ` ${input.text}`,
      atUsers: [{ dingtalkId: `$:LWCP_v1:$${randomBytes(12).toString('base64')}` }, ...(input.atUserIds ?? []).map((staffId) => ({ dingtalkId: `$:LWCP_v1:$${staffId}`, staffId }))],
      session: { conversationId: input.openConversationId, openConversationId: input.openConversationId },
    });
  }

  /** An event (e.g. `user_add_org`) as an EVENT frame; the client acks SUCCESS or LATER. */
  pushEvent(input: { appKey: string; eventType: string; data: Record<string, unknown>; eventId?: string }): { messageId: string; eventId: string } {
    const app = this.app(input.appKey);
    const eventId = input.eventId ?? randomBytes(16).toString('hex');
    const now = String(this.clock.now().getTime());
    const messageId = this.gateway.enqueue(app.appKey, 'EVENT', input.eventType, input.data, {
      eventType: input.eventType,
      eventId,
      eventBornTime: now,
      eventCorpId: app.corpId,
      eventUnifiedAppId: app.appKey,
    });
    return { messageId, eventId };
  }

  private pushRobotMessage(
    app: DingtalkAppConfig,
    m: {
      conversationId: string;
      conversationType: '1' | '2';
      conversationTitle?: string;
      senderStaffId: string;
      senderNick: string;
      text: string;
      atUsers?: readonly { dingtalkId: string; staffId?: string }[];
      session: { conversationId: string; userId?: string; openConversationId?: string };
    },
  ): PushedMessage {
    const now = this.clock.now().getTime();
    const session = randomBytes(16).toString('hex');
    const expiresAtMs = now + sessionLifetimeMs;
    this.state.sessions.set(session, { ...m.session, expiresAtMs });
    const msgId = `msg${randomBytes(12).toString('base64')}`;
    const sessionWebhook = `${this.baseUrl}/robot/sendBySession?session=${session}`;
    // Field set of the robot message as received over Stream (https://open.dingtalk.com/document/orgapp/receive-message).
    const data: Record<string, unknown> = {
      conversationId: m.conversationId,
      chatbotCorpId: app.corpId,
      chatbotUserId: `$:LWCP_v1:$${Buffer.from(app.robotCode).toString('base64')}`,
      msgId,
      senderNick: m.senderNick,
      isAdmin: false,
      senderStaffId: m.senderStaffId,
      sessionWebhookExpiredTime: expiresAtMs,
      createAt: now,
      senderCorpId: app.corpId,
      conversationType: m.conversationType,
      senderId: `$:LWCP_v1:$${Buffer.from(m.senderStaffId).toString('base64')}`,
      sessionWebhook,
      robotCode: app.robotCode,
      msgtype: 'text',
      text: { content: m.text },
      ...(m.conversationType === '2' ? { conversationTitle: m.conversationTitle, isInAtList: true, atUsers: m.atUsers ?? [] } : {}),
    };
    const messageId = this.gateway.enqueue(app.appKey, 'CALLBACK', TOPIC_ROBOT, data);
    return { messageId, msgId, sessionWebhook };
  }

  private app(appKey: string): DingtalkAppConfig {
    const app = this.state.apps.get(appKey);
    if (!app) throw new Error(`no DingTalk app ${appKey}`);
    return app;
  }

  /** CALLBACK/EVENT frames not acknowledged yet (an EVENT answered LATER counts as not acknowledged). */
  pendingUnacked(appKey?: string): StreamFrame[] {
    return this.gateway.unacked(appKey);
  }

  /** Pushes again, now, whatever is due for redelivery on the clock (the poller does the same every pollIntervalMs). */
  redeliverDue(): number {
    return this.gateway.redeliverDue();
  }

  /** How often the frame was pushed (1 + redeliveries + duplicates are not counted; see `acks`). */
  pushes(messageId: string): number {
    return this.gateway.pushesOf(messageId);
  }

  acks(messageId?: string): RecordedAck[] {
    return this.gateway.acks.filter((a) => !messageId || a.messageId === messageId);
  }

  /** After the next acknowledgement, the same frame is pushed once more (DingTalk delivers at least once). */
  duplicateNextAck(count = 1): void {
    this.gateway.duplicateNextAck(count);
  }

  dropConnections(appKey?: string): number {
    return this.gateway.dropConnections(appKey);
  }

  /** Sends a `disconnect` system frame; the server closes the socket after `disconnectGraceMs`. */
  sendDisconnect(appKey: string): number {
    return this.gateway.disconnect(appKey);
  }

  ping(appKey: string): string[] {
    return this.gateway.ping(appKey);
  }

  pongs(): string[] {
    return [...this.gateway.pongs];
  }

  /** WebSocket upgrades refused with 401 next, as a handshake error would be. */
  rejectNextHandshakes(count = 1): void {
    this.gateway.rejectNextHandshakes(count);
  }

  /** The next `count` gateway opens answer HTTP 500. */
  failNextOpens(count = 1): void {
    this.gateway.failNextOpens(count);
  }

  gatewayOpens(appKey: string): number {
    return this.gateway.gatewayOpens.get(appKey) ?? 0;
  }

  liveConnections(appKey: string): number {
    return this.gateway.connectionsOf(appKey).length;
  }

  /** The most connections the app ever held at the same time. */
  peakConnections(appKey: string): number {
    return this.gateway.peakConnections.get(appKey) ?? 0;
  }

  received(userId: string): DingtalkDelivered[] {
    return [...(this.state.inboxes.get(userId) ?? [])];
  }

  groupMessages(openConversationId: string): DingtalkDelivered[] {
    return [...(this.state.groupInboxes.get(openConversationId) ?? [])];
  }

  webhookMessages(accessToken: string): DingtalkDelivered[] {
    return [...(this.state.webhookInboxes.get(accessToken) ?? [])];
  }

  /** A card template the organisation built in the card platform: createAndDeliver refuses other template ids. */
  addCardTemplate(templateId: string): void {
    dingtalkCardsOf(this.state).templates.add(templateId);
  }

  /** Interactive cards created (src/dingtalk/cards.ts), oldest first; `cardParamMap` is their current data. */
  cards(): SimCard[] {
    return [...dingtalkCardsOf(this.state).cards.values()];
  }

  card(outTrackId: string): SimCard | undefined {
    return dingtalkCardsOf(this.state).cards.get(outTrackId);
  }

  /** The buttons a HireBridge-template card shows now (its `buttons` variable). */
  cardButtons(outTrackId: string): { label: string; key: string; style: string }[] {
    const card = this.card(outTrackId);
    return card ? buttonsOf(card) : [];
  }

  /** A person clicks a button of a HireBridge-template card: a CALLBACK frame on the card topic, re-pushed until acked. */
  clickCardButton(input: { outTrackId: string; userId: string; key: string }): { messageId: string } {
    return clickButton(this.state, this.gateway, input);
  }

  /** A click on any callback action of a card, with the params its template sends. */
  clickCard(input: { outTrackId: string; userId: string; actionId: string; params: Record<string, string> }): { messageId: string } {
    return clickCard(this.state, this.gateway, input);
  }

  /** An uploaded media file (media/upload), by media_id. */
  media(mediaId: string): SimMedia | undefined {
    return dingtalkCardsOf(this.state).media.get(mediaId);
  }

  /** Live calendar events the person organises or attends (src/dingtalk/calendar.ts), by start. */
  events(unionId: string): SimEvent[] {
    return dingtalkCalendarOf(this.state).eventsOf(unionId);
  }

  /** The person's own meeting, made outside our app: querySchedule shows it as busy. Times are ISO with offset. */
  addBusy(input: { unionId: string; start: string; end: string; summary?: string; timeZone?: string }): SimEvent {
    return addOwnEvent(this.state, input);
  }

  /** A department of the organisation's contacts (src/dingtalk/contacts.ts); parentId defaults to the root (1). */
  addDepartment(department: { id: number; name: string; parentId?: number }): void {
    addDepartment(this.state, department);
  }

  /** A member of the contacts, with a unionId (generated when not given); also reachable by the app robot. */
  addMember(member: SimDingtalkMemberInput): SimDingtalkMember {
    return addMember(this.state, member);
  }

  updateMember(userId: string, changes: Partial<Omit<SimDingtalkMemberInput, 'userId'>>): SimDingtalkMember {
    return updateMember(this.state, userId, changes);
  }

  /** The member leaves: gone from the contacts (user/get answers 60121) and from the robot's reach. */
  removeMember(userId: string): boolean {
    return removeMember(this.state, userId);
  }

  member(userId: string): SimDingtalkMember | undefined {
    return dingtalkContactsOf(this.state).members.get(userId);
  }

  /**
   * A 通讯录 event over Stream mode (EVENT frame, `eventType` header), with the body DingTalk sends in `data`:
   * `{userId: [...]}` for user_* events, `{deptId: [...]}` for org_dept_* events.
   * https://open.dingtalk.com/document/orgapp/address-book-events
   */
  orgChanged(input: {
    appKey: string;
    eventType: 'user_add_org' | 'user_modify_org' | 'user_leave_org' | 'user_active_org' | 'org_dept_create' | 'org_dept_modify' | 'org_dept_remove';
    userIds?: readonly string[];
    deptIds?: readonly number[];
  }): { messageId: string; eventId: string } {
    const data: Record<string, unknown> = { timeStamp: String(this.clock.now().getTime()) };
    if (input.userIds) data.userId = [...input.userIds];
    if (input.deptIds) data.deptId = [...input.deptIds];
    return this.pushEvent({ appKey: input.appKey, eventType: input.eventType, data });
  }
}
