import type { GroupChatStore } from '../../features/group-chat/origin-store';
import type { GroupTarget } from '../../ports/group-notifier';
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
  };
}
