export interface AuditEvent {
  readonly tenantId: string | null;
  readonly actor: string;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly reason?: string | null;
  readonly requestId?: string | null;
  readonly details?: Record<string, unknown>;
}

/** Append-only: the table refuses updates and deletes. */
export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
}
