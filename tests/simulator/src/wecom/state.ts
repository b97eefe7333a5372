import { TicketStore } from './tickets';
import type { Clock } from '../clock';
import { Corp, type CorpConfig } from './corp';
import { KeyedWindows } from './sliding-window';
import { TokenStore } from './tokens';

export interface Robot {
  readonly key: string;
  readonly chatName: string;
}

export interface RobotMessage {
  readonly msgtype: string;
  readonly receivedAt: Date;
  readonly content?: string;
  readonly payload: Record<string, unknown>;
  readonly mentionedList: readonly string[];
}

export interface InjectedFailure {
  readonly errcode: number;
  remaining: number;
}

export interface ResponseCodeRecord {
  readonly corpId: string;
  readonly agentId: number;
  readonly taskId: string;
  readonly issuedAtMs: number;
  used: boolean;
}

/** Everything the simulated WeCom remembers, shared by the API routes, the callbacks and the scripting API. */
export class WecomState {
  readonly corps = new Map<string, Corp>();
  readonly tokens: TokenStore;
  readonly robots = new Map<string, Robot>();
  readonly robotInbox = new Map<string, RobotMessage[]>();
  readonly callCounts = new Map<string, number>();
  readonly failures = new Map<string, InjectedFailure[]>();

  // https://developer.work.weixin.qq.com/document/path/90454 : per app per member 30 messages a minute and 1000 an
  // hour; the excess is dropped without an error.
  readonly memberMinute = new KeyedWindows(60_000);
  readonly memberHour = new KeyedWindows(3_600_000);
  // https://developer.work.weixin.qq.com/document/path/91770 : a group robot sends at most 20 messages a minute.
  readonly robotMinute = new KeyedWindows(60_000);
  readonly gettokenHour = new KeyedWindows(3_600_000);

  /** enable_duplicate_check: canonical body → when it was last accepted. */
  readonly duplicateIndex = new Map<string, number>();
  /** task_id is unique per app for ever; keyed `corpId\0agentId\0taskId`. */
  readonly taskIds = new Set<string>();
  readonly responseCodes = new Map<string, ResponseCodeRecord>();
  readonly tickets: TicketStore;

  constructor(readonly clock: Clock) {
    this.tokens = new TokenStore(clock);
    this.tickets = new TicketStore(this);
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  addCorp(config: CorpConfig): Corp {
    if (this.corps.has(config.corpId)) throw new Error(`corp ${config.corpId} already exists`);
    if (!/^[A-Za-z0-9]{43}$/.test(config.encodingAesKey)) throw new Error('encodingAesKey must be 43 letters/digits');
    const corp = new Corp(config);
    this.corps.set(config.corpId, corp);
    return corp;
  }

  corp(corpId: string): Corp {
    const corp = this.corps.get(corpId);
    if (!corp) throw new Error(`unknown corp ${corpId}`);
    return corp;
  }

  /** The corp holding `userid`, or the one named; fails when the userid is ambiguous across corps. */
  corpOfMember(userid: string, corpId?: string): Corp {
    if (corpId) return this.corp(corpId);
    const matches = [...this.corps.values()].filter((c) => c.member(userid) || c.received(userid).length > 0);
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length === 0) throw new Error(`no corp has member ${userid}`);
    throw new Error(`member ${userid} exists in several corps: pass corpId`);
  }
}
