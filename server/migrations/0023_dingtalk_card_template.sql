-- Issue 7: a DingTalk app's interactive-card template (卡片平台 template id, e.g. "a1b2c3d4-….schema"), used by the
-- HR bot to send button cards as DingTalk interactive cards (server/src/adapters/dingtalk/card-template.ts documents
-- the template's variables). NULL: button cards are listed as text. Only dingtalk_app rows may have one.
ALTER TABLE platform_apps ADD COLUMN card_template_id text;
ALTER TABLE platform_apps ADD CONSTRAINT platform_apps_card_template_id_shape
  CHECK (card_template_id IS NULL OR (kind = 'dingtalk_app' AND card_template_id ~ '^[A-Za-z0-9._-]{1,128}$'));
