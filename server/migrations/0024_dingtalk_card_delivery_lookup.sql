-- A DingTalk card click is acted on only in the chat the server delivered that card to: the sent outbox row whose
-- receipt names the card's outTrackId (features/group-chat/dingtalk-card-actions.ts, GroupChatStore
-- .dingtalkCardDeliveries). This index finds it without scanning the tenant's outbox.
CREATE INDEX outbox_receipt_out_track_idx ON outbox (tenant_id, (receipt->>'outTrackId')) WHERE (receipt->>'outTrackId') IS NOT NULL;
