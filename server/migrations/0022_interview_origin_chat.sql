-- Issue 7: an interview scheduled from a group command remembers that chat (a GroupTarget, ports/group-notifier.ts:
-- {"channel": "wecom_aibot_push", "chatId": …} or {"channel": "dingtalk_group", "openConversationId": …}), so that
-- the group is told when the candidate confirms. NULL for interviews scheduled anywhere else.
ALTER TABLE interviews ADD COLUMN origin_chat jsonb;
ALTER TABLE interviews ADD CONSTRAINT interviews_origin_chat_shape
  CHECK (origin_chat IS NULL OR (jsonb_typeof(origin_chat) = 'object' AND origin_chat ? 'channel'));
