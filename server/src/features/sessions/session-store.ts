import type { Role } from '../../../contracts/directory';

export interface SessionRecord {
  readonly tenantId: string;
  readonly employeeId: string;
  readonly roles: Role[];
  readonly employeeStatus: 'active' | 'disabled' | 'left';
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
  readonly revokedAt: Date | null;
}

export interface SessionStore {
  insertSession(input: { tokenHash: Buffer; tenantId: string; employeeId: string; expiresAt: Date; now: Date }): Promise<void>;
  findSession(tokenHash: Buffer): Promise<SessionRecord | undefined>;
  touchSession(tokenHash: Buffer, now: Date): Promise<void>;
  /** Active employees of demo tenants only: the people one can sign in as in the demo. */
  listDemoEmployees(): Promise<{ id: string; name: string; title: string | null; roles: Role[]; tenantName: string }[]>;
  findEmployeeTenant(employeeId: string): Promise<{ tenantId: string; isDemo: boolean; status: string } | undefined>;
}
