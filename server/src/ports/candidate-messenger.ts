/**
 * Reaching a candidate on personal WeChat, whatever the channel. Features say what to tell the candidate; the
 * implementation picks the channel that is open right now (a mini-program subscription acceptance, the 微信客服
 * reply window) or, when none is, asks the owning HR to phone the candidate.
 */

export interface Choice {
  /** Stable id that comes back when the candidate picks it (≤64 bytes), e.g. `confirm`. */
  readonly id: string;
  /** What the candidate sees (≤128 bytes), e.g. 确认参加. */
  readonly label: string;
}

export type CandidateMessage =
  | { readonly kind: 'text'; readonly text: string }
  /** A question with choices, e.g. 确认参加 / 改个时间 / 婉拒; on 微信客服 a menu whose taps come back as events. */
  | { readonly kind: 'choices'; readonly prompt: string; readonly choices: readonly Choice[]; readonly footer?: string }
  /** An interview reminder: template fields for a subscription message, and the same said as text elsewhere. */
  | {
      readonly kind: 'interview_reminder';
      readonly interview: {
        readonly title: string;
        readonly startsAt: Date;
        readonly location: string;
        readonly note?: string;
      };
      /** Mini-program page the reminder opens, e.g. `pages/invite/index?id=…`. */
      readonly page?: string;
    };

export interface CandidateMessageRequest {
  readonly tenantId: string;
  readonly candidateId: string;
  readonly message: CandidateMessage;
  /** Names the logical message (e.g. `reminder:<id>`): sending it again returns the first result, sends nothing. */
  readonly idempotencyKey: string;
  /** The interview the message is about: its owning HR gets the call task when no channel is open. */
  readonly interviewId?: string;
}

export type CandidateChannel = 'subscription' | 'kf' | 'hr_call_task';

/** Why a channel was not used; `failed` carries the platform's code. */
export interface ChannelAttempt {
  readonly channel: CandidateChannel;
  readonly result: 'skipped' | 'refused' | 'failed';
  readonly reason: string;
}

export type CandidateDelivery =
  | { readonly outcome: 'sent'; readonly channel: 'subscription' | 'kf'; readonly attempts: readonly ChannelAttempt[]; readonly receipt: Record<string, unknown> }
  /** Nothing reached the candidate; the owning HR was asked (an outbox message) to phone them. */
  | { readonly outcome: 'hr_call_task'; readonly channel: 'hr_call_task'; readonly attempts: readonly ChannelAttempt[]; readonly hrEmployeeId: string; readonly outboxId: string }
  | { readonly outcome: 'undeliverable'; readonly channel: null; readonly attempts: readonly ChannelAttempt[] };

export interface CandidateMessenger {
  /**
   * Sends once per idempotency key. Throws only for transient trouble (network, platform busy) with nothing sent,
   * so the caller can try again later.
   */
  send(request: CandidateMessageRequest): Promise<CandidateDelivery & { readonly replayed: boolean }>;
}
