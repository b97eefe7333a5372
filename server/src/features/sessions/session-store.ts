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
  findEmployeeTenant(employeeId: string): Promise<{ tenantId: string; isDemo: boolean; status: string } | undefined>;
}
