import type { Role } from '../../../contracts/directory';

export interface InvitationRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly applicationId: string;
  readonly candidateId: string;
  readonly interviewId: string | null;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly candidateAnonymised: boolean;
}

/** What sign-in needs from the database: tenants by platform, employees by platform id, invitations, states, counters. */
export interface IdentityStore {
  findTenantByCorp(platform: 'wecom' | 'dingtalk', corpId: string): Promise<{ tenantId: string } | undefined>;
  findEmployeeByPlatformId(
    tenantId: string,
    id: { readonly userId?: string; readonly unionId?: string },
  ): Promise<{ employeeId: string; roles: Role[]; status: 'active' | 'disabled' | 'left' } | undefined>;

  insertWebLoginState(state: { stateHash: Buffer; tenantId: string; returnTo: string; expiresAt: Date; now: Date }): Promise<void>;
  /** Marks the state used and returns it, once, if it has not expired. */
  consumeWebLoginState(stateHash: Buffer, now: Date): Promise<{ tenantId: string; returnTo: string } | undefined>;

  /** Inserts an invitation and revokes the application's earlier ones (one live link per application). */
  insertInvitation(invitation: {
    tenantId: string;
    applicationId: string;
    interviewId: string | null;
    tokenHash: Buffer;
    expiresAt: Date;
    createdBy: string;
    now: Date;
  }): Promise<InvitationRecord | undefined>;
  findInvitationByToken(tokenHash: Buffer): Promise<InvitationRecord | undefined>;

  /** Tenants whose candidate mini-program has this WeChat AppID, with our id of that app. */
  findMiniProgramApps(appId: string): Promise<{ tenantId: string; platformAppId: string }[]>;
  findCandidateByOpenId(platformAppId: string, openId: string): Promise<{ tenantId: string; candidateId: string; anonymised: boolean } | undefined>;

  /** Counts one hit in the fixed window starting at `windowStart`; returns the hits so far in it. */
  hitRateLimit(bucket: string, windowStart: Date): Promise<number>;
}
