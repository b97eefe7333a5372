import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';
import { WecomApiError, errcodes } from './errors';
import type { WecomState } from './state';
import type { Grant } from './tokens';

/**
 * JS-SDK tickets: the corp ticket (get_jsapi_ticket, for wx.config) and the app ticket (ticket/get?type=
 * agent_config, for wx.agentConfig). Like tokens, a ticket lives 7200 s and the same one is returned while valid;
 * fetching is limited to 400 an hour per corp and 100 an hour per app.
 * https://developer.work.weixin.qq.com/document/path/90506 (获取企业的jsapi_ticket / 获取应用的jsapi_ticket)
 */
export const ticketLifetimeSeconds = 7200;
const corpTicketsPerHour = 400;
const appTicketsPerHour = 100;

interface Ticket {
  readonly ticket: string;
  readonly issuedAtMs: number;
}

export class TicketStore {
  private readonly tickets = new Map<string, Ticket>();
  private readonly fetches = new Map<string, number[]>();

  constructor(private readonly state: WecomState) {}

  private issue(key: string, limitPerHour: number): { ticket: string; expires_in: number } {
    const now = this.state.nowMs();
    const recent = (this.fetches.get(key) ?? []).filter((t) => t > now - 3_600_000);
    if (recent.length >= limitPerHour) throw new WecomApiError(errcodes.apiFreqOutOfLimit);
    recent.push(now);
    this.fetches.set(key, recent);
    let current = this.tickets.get(key);
    if (!current || current.issuedAtMs + ticketLifetimeSeconds * 1000 <= now) {
      current = { ticket: randomBytes(48).toString('base64url'), issuedAtMs: now };
      this.tickets.set(key, current);
    }
    return { ticket: current.ticket, expires_in: Math.round(ticketLifetimeSeconds - (now - current.issuedAtMs) / 1000) };
  }

  corpTicket(corpId: string, grant: Grant) {
    if (grant.kind !== 'app') throw new WecomApiError(errcodes.apiForbidden);
    return this.issue(`corp:${corpId}`, corpTicketsPerHour);
  }

  appTicket(corpId: string, grant: Grant) {
    if (grant.kind !== 'app') throw new WecomApiError(errcodes.apiForbidden);
    return this.issue(`app:${corpId}:${grant.agentId}`, appTicketsPerHour);
  }

  /** What the WeCom client checks when a page calls wx.config / wx.agentConfig with a signature. */
  verify(input: { corpId: string; agentId?: number; url: string; nonceStr: string; timestamp: number; signature: string }): boolean {
    const key = input.agentId === undefined ? `corp:${input.corpId}` : `app:${input.corpId}:${input.agentId}`;
    const current = this.tickets.get(key);
    if (!current || current.issuedAtMs + ticketLifetimeSeconds * 1000 <= this.state.nowMs()) return false;
    const expected = getJsApiSignature({ url: input.url.split('#')[0]!, ticket: current.ticket, nonceStr: input.nonceStr, timestamp: input.timestamp });
    return expected.signature === input.signature;
  }
}
