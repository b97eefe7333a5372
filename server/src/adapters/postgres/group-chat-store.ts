import { sql } from 'kysely';
import type { GroupChatStore } from '../../features/group-chat/origin-store';
import type { GroupTarget } from '../../ports/group-notifier';
import type { Db } from './database';

export function postgresGroupChatStore(db: Db): GroupChatStore {
  return {
    async databaseNow() {
      const { rows } = await sql<{ now: Date }>`SELECT clock_timestamp() AS now`.execute(db);
      return rows[0]!.now;
    },
    async rememberOrigin(tenantId, employeeId, since, origin) {
      const result = await db
        .updateTable('interviews')
        .set({ origin_chat: JSON.stringify(origin) })
        .where('tenant_id', '=', tenantId)
        .where('origin_chat', 'is', null)
        .where(
          sql<string>`id::text`,
          'in',
          db
            .selectFrom('audit_events')
            .select('object_id')
            .where('tenant_id', '=', tenantId)
            .where('action', '=', 'interview.schedule')
            .where('actor', '=', `employee:${employeeId}`)
            .where('object_id', 'is not', null)
            .where('at', '>=', since),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async originOf(tenantId, interviewId) {
      const row = await db.selectFrom('interviews').select('origin_chat').where('tenant_id', '=', tenantId).where('id', '=', interviewId).executeTakeFirst();
      const origin = row?.origin_chat as Record<string, unknown> | null | undefined;
      if (!origin || typeof origin !== 'object') return undefined;
      if (origin.channel === 'wecom_aibot_push' && typeof origin.chatId === 'string') return { channel: 'wecom_aibot_push', chatId: origin.chatId };
      if (origin.channel === 'dingtalk_group' && typeof origin.openConversationId === 'string') return { channel: 'dingtalk_group', openConversationId: origin.openConversationId };
      return undefined satisfies GroupTarget | undefined;
    },
  };
}
