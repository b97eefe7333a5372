import type { CandidateDelivery } from '../../ports/candidate-messenger';

export interface KfLink {
  readonly appId: string;
  readonly openKfId: string;
  readonly externalUserId: string;
}

export interface CandidateChannelState {
  readonly tenantId: string;
  readonly candidateId: string;
  readonly kf: (KfLink & { readonly lastCustomerMessageAt: Date | null; readonly sentSinceCustomerMessage: number }) | null;
  readonly miniProgram: { readonly appId: string; readonly openid: string; readonly unionid: string | null } | null;
  /** Unused one-time subscription acceptances by template id. */
  readonly subscriptions: Readonly<Record<string, number>>;
}

export interface KfInvitation {
  readonly id: string;
  readonly tenantId: string;
  readonly candidateId: string;
  readonly kfAppId: string;
  readonly openKfId: string;
}

export type KfReservation = { readonly ok: true; readonly link: KfLink } | { readonly ok: false; readonly reason: 'no_kf_contact' | 'window_expired' | 'reply_limit' };
export type SubscriptionReservation =
  | { readonly ok: true; readonly appId: string; readonly openid: string }
  | { readonly ok: false; readonly reason: 'no_openid' | 'no_balance' };

export interface OwningHr {
  readonly employeeId: string;
  readonly platformUserId: string;
  readonly name: string;
}

export interface CandidateChannelStore {
  find(tenantId: string, candidateId: string): Promise<CandidateChannelState | undefined>;
  candidateContact(tenantId: string, candidateId: string): Promise<{ name: string; phone: string | null } | undefined>;
  /** The interview's owning HR, else the job's. */
  findOwningHr(tenantId: string, interviewId: string): Promise<OwningHr | undefined>;

  // —— 微信客服 ——
  insertKfInvitation(invitation: KfInvitation & { readonly url: string }): Promise<void>;
  findKfInvitation(id: string): Promise<KfInvitation | undefined>;
  /** Binds the external_userid to the candidate (the candidate entered through their link). */
  linkKfContact(tenantId: string, candidateId: string, link: KfLink, now: Date, invitationId?: string): Promise<void>;
  /**
   * A customer message at `at` reopens the reply window (48 h, 5 replies) unless a later one already did.
   * Answers the candidate it belongs to, if the external_userid is linked.
   */
  recordKfCustomerMessage(appId: string, externalUserId: string, at: Date): Promise<{ tenantId: string; candidateId: string } | undefined>;
  /** Takes one reply out of the window, atomically, or says why it cannot. */
  reserveKfReply(tenantId: string, candidateId: string, now: Date): Promise<KfReservation>;
  /** Gives back a reservation whose send did not reach the platform. */
  releaseKfReply(tenantId: string, candidateId: string): Promise<void>;
  /** The platform refused (95001/95002): nothing more is sent until the candidate writes again. */
  closeKfWindow(tenantId: string, candidateId: string): Promise<void>;
  /** Locks the account's sync cursor for this transaction (creating it empty) and returns it. */
  lockKfCursor(appId: string, openKfId: string): Promise<string>;
  saveKfCursor(appId: string, openKfId: string, cursor: string, now: Date): Promise<void>;
  /** True the first time a msgid is seen for the kf app. */
  markKfMessageProcessed(appId: string, msgid: string, now: Date): Promise<boolean>;

  // —— mini-program ——
  linkMiniProgramUser(tenantId: string, candidateId: string, user: { appId: string; openid: string; unionid: string | null }, now: Date): Promise<void>;
  addSubscriptionAcceptances(tenantId: string, candidateId: string, templateIds: readonly string[], now: Date): Promise<void>;
  reserveSubscription(tenantId: string, candidateId: string, templateId: string, now: Date): Promise<SubscriptionReservation>;
  releaseSubscription(tenantId: string, candidateId: string, templateId: string): Promise<void>;
  /** WeChat answered 43101: the user has no acceptance left, whatever we counted. */
  zeroSubscription(tenantId: string, candidateId: string, templateId: string): Promise<void>;

  // —— deliveries ——
  findDelivery(tenantId: string, idempotencyKey: string): Promise<CandidateDelivery | undefined>;
  recordDelivery(
    tenantId: string,
    candidateId: string,
    idempotencyKey: string,
    messageKind: string,
    delivery: CandidateDelivery,
    now: Date,
  ): Promise<void>;
}
