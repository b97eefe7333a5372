import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { KeyedWindows } from '../wecom/sliding-window';
import { DingtalkApiError, newApiErrors } from './errors';

export interface DingtalkAppConfig {
  /** AppKey = Client ID of the internal app; also what the stream gateway calls clientId. */
  readonly appKey: string;
  readonly appSecret: string;
  /** The app's robot. For internal-app robots DingTalk uses the AppKey as robotCode; any value is accepted here. */
  readonly robotCode: string;
  readonly corpId: string;
  readonly name?: string;
}

export interface DingtalkUserInput {
  readonly userId: string;
  readonly name: string;
  /** unionId: what the calendar API names people by (src/dingtalk/calendar.ts). */
  readonly unionId?: string;
}

export interface DingtalkGroupInput {
  readonly openConversationId: string;
  readonly title: string;
}

/** One message a person or group received from a robot. `msgParam` is what DingTalk parsed from the string. */
export interface DingtalkDelivered {
  /** `interactiveCard`: a card from createAndDeliver (msgParam `{outTrackId, templateId}`; the card itself in cards.ts). */
  readonly via: 'groupMessages' | 'oToMessages' | 'sessionWebhook' | 'customRobot' | 'interactiveCard';
  readonly robotCode?: string;
  readonly msgKey: string;
  readonly msgParam: Record<string, unknown>;
  readonly processQueryKey?: string;
  readonly receivedAt: Date;
}

interface TokenRecord {
  readonly token: string;
  readonly appKey: string;
  readonly issuedAtMs: number;
}

export interface WebhookRobot {
  readonly accessToken: string;
  readonly chatName: string;
  /** With 加签 enabled: `timestamp` and `sign` = base64(HMAC-SHA256(secret, "timestamp\nsecret")) are required. */
  readonly secret?: string;
  blockedUntilMs?: number;
}

// https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app : expireIn 7200 s, and a
// fetch within the validity returns the same token.
export const tokenLifetimeSeconds = 7200;

export class DingtalkState {
  readonly apps = new Map<string, DingtalkAppConfig>();
  readonly users = new Map<string, DingtalkUserInput>();
  readonly groups = new Map<string, DingtalkGroupInput>();
  readonly inboxes = new Map<string, DingtalkDelivered[]>();
  readonly groupInboxes = new Map<string, DingtalkDelivered[]>();
  readonly webhookRobots = new Map<string, WebhookRobot>();
  readonly webhookInboxes = new Map<string, DingtalkDelivered[]>();
  readonly webhookMinute = new KeyedWindows(60_000);
  /** Session webhooks handed out with robot messages: session → where a reply goes and until when. */
  readonly sessions = new Map<string, { conversationId: string; userId?: string; openConversationId?: string; expiresAtMs: number }>();
  /** Scripted flow control: userId → how many of the next 1:1 sends to that user are flow-controlled. */
  readonly flowControl = new Map<string, number>();
  readonly callCounts = new Map<string, number>();
  private readonly byToken = new Map<string, TokenRecord>();
  private readonly byApp = new Map<string, TokenRecord>();

  constructor(readonly clock: Clock) {}

  nowMs(): number {
    return this.clock.now().getTime();
  }

  count(path: string): void {
    this.callCounts.set(path, (this.callCounts.get(path) ?? 0) + 1);
  }

  appByCredentials(appKey: unknown, appSecret: unknown): DingtalkAppConfig | undefined {
    const app = typeof appKey === 'string' ? this.apps.get(appKey) : undefined;
    return app && app.appSecret === appSecret ? app : undefined;
  }

  appByRobotCode(robotCode: unknown): DingtalkAppConfig | undefined {
    return [...this.apps.values()].find((a) => a.robotCode === robotCode);
  }

  /** The same token while it is valid; its lifetime counts from the first issue. */
  issueToken(appKey: string): { token: string; expiresInSeconds: number } {
    const live = this.byApp.get(appKey);
    const now = this.nowMs();
    if (live && now < live.issuedAtMs + tokenLifetimeSeconds * 1000) {
      return { token: live.token, expiresInSeconds: tokenLifetimeSeconds };
    }
    const record = { token: randomBytes(16).toString('hex'), appKey, issuedAtMs: now };
    this.byToken.set(record.token, record);
    this.byApp.set(appKey, record);
    return { token: record.token, expiresInSeconds: tokenLifetimeSeconds };
  }

  /** Resolves the `x-acs-dingtalk-access-token` header of a new-API call or throws DingTalk's answer. */
  checkToken(token: string | undefined): DingtalkAppConfig {
    if (!token) throw newApiErrors.missingToken();
    const record = this.byToken.get(token);
    if (!record || this.nowMs() >= record.issuedAtMs + tokenLifetimeSeconds * 1000) throw newApiErrors.invalidToken();
    const app = this.apps.get(record.appKey);
    if (!app) throw newApiErrors.invalidToken();
    return app;
  }

  invalidateTokens(appKey: string): number {
    let n = 0;
    for (const [token, record] of this.byToken) {
      if (record.appKey === appKey) {
        this.byToken.delete(token);
        n++;
      }
    }
    this.byApp.delete(appKey);
    return n;
  }

  deliverToUser(userId: string, message: DingtalkDelivered): void {
    const list = this.inboxes.get(userId) ?? [];
    list.push(message);
    this.inboxes.set(userId, list);
  }

  deliverToGroup(openConversationId: string, message: DingtalkDelivered): void {
    const list = this.groupInboxes.get(openConversationId) ?? [];
    list.push(message);
    this.groupInboxes.set(openConversationId, list);
  }
}

export function isApiError(error: unknown): error is DingtalkApiError {
  return error instanceof DingtalkApiError;
}
