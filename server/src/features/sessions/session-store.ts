import type { Role } from '../../../contracts/directory';

export type SessionMethod = 'demo' | 'wecom_miniapp' | 'dingtalk_miniapp' | 'wecom_web' | 'dingtalk_web' | 'wechat_miniapp' | 'invitation';

export type SessionSubject =
  | { readonly kind: 'employee'; readonly employeeId: string; readonly roles: Role[]; readonly status: 'active' | 'disabled' | 'left' }
  | {
      readonly kind: 'candidate';
      readonly candidateId: string;
      readonly anonymised: boolean;
      /** Set when the session was made from an invitation token: the session lives only as long as the invitation. */
      readonly invitation: { readonly id: string; readonly expiresAt: Date; readonly revokedAt: Date | null } | null;
    };

export interface SessionRecord {
  readonly tenantId: string;
  readonly subject: SessionSubject;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
  readonly revokedAt: Date | null;
  readonly idleTimeoutSeconds: number;
}

export interface NewSession {
  readonly tokenHash: Buffer;
  readonly tenantId: string;
  readonly subject: { readonly employeeId: string } | { readonly candidateId: string; readonly invitationId: string | null };
  readonly method: SessionMethod;
  readonly expiresAt: Date;
  readonly idleTimeoutSeconds: number;
  readonly now: Date;
}

export interface SessionStore {
  insertSession(session: NewSession): Promise<void>;
  findSession(tokenHash: Buffer): Promise<SessionRecord | undefined>;
  touchSession(tokenHash: Buffer, now: Date): Promise<void>;
  /** Revokes one session (sign-out); true when it was live. */
  revokeSession(tokenHash: Buffer, now: Date): Promise<boolean>;
  /** Active employees of demo tenants only: the people one can sign in as in the demo. */
  listDemoEmployees(): Promise<{ id: string; name: string; title: string | null; roles: Role[]; tenantName: string }[]>;
  findEmployeeTenant(employeeId: string): Promise<{ tenantId: string; isDemo: boolean; status: string; roles: Role[] } | undefined>;
}
