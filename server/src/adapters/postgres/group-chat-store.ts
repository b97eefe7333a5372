import type { GroupChatStore } from '../../features/group-chat/origin-store';
import type { GroupTarget } from '../../ports/group-notifier';
import { sql } from 'kysely';
import type { Db } from './database';

export function postgresGroupChatStore(db: Db): GroupChatStore {
  return {
    async setOrigin(tenantId, interviewId, origin) {
      const result = await db.updateTable('interviews').set({ origin_chat: JSON.stringify(origin) }).where('tenant_id', '=', tenantId).where('id', '=', interviewId).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new Error('the interview to remember its chat was not found');
    },
    async originOf(tenantId, interviewId) {
      const row = await db.selectFrom('interviews').select('origin_chat').where('tenant_id', '=', tenantId).where('id', '=', interviewId).executeTakeFirst();
      const origin = row?.origin_chat as Record<string, unknown> | null | undefined;
      if (!origin || typeof origin !== 'object') return undefined;
      if (origin.channel === 'wecom_aibot_push' && typeof origin.chatId === 'string') return { channel: 'wecom_aibot_push', chatId: origin.chatId };
      if (origin.channel === 'dingtalk_group' && typeof origin.openConversationId === 'string') return { channel: 'dingtalk_group', openConversationId: origin.openConversationId };
      return undefined satisfies GroupTarget | undefined;
    },
    async dingtalkCardDeliveries(tenantId, outTrackId) {
      const rows = await db
        .selectFrom('outbox')
        .select(['channel', 'recipient', 'payload'])
        .where('tenant_id', '=', tenantId)
        .where('channel', 'in', ['dingtalk_group', 'dingtalk_oto'])
        .where('status', '=', 'sent')
        .where(sql<boolean>`receipt->>'outTrackId' = ${outTrackId}`)
        .execute();
      return rows.map((row) => {
        const message = (row.payload as { message?: { exclusive?: unknown } } | null)?.message;
        const target = row.channel === 'dingtalk_group' ? ({ channel: 'dingtalk_group', openConversationId: row.recipient } as const) : ({ channel: 'dingtalk_oto', userId: row.recipient } as const);
        return { target, exclusive: message?.exclusive === true };
      });
    },
  };
}
