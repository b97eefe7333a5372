import type { AuditStore } from '../../features/audit/audit-store';
import type { Db } from './database';

export function postgresAuditStore(db: Db): AuditStore {
  return {
    async append(event) {
      await db
        .insertInto('audit_events')
        .values({
          tenant_id: event.tenantId,
          actor: event.actor,
          action: event.action,
          object_type: event.objectType,
          object_id: event.objectId,
          reason: event.reason ?? null,
          request_id: event.requestId ?? null,
          details: JSON.stringify(event.details ?? {}),
        })
        .execute();
    },
  };
}
