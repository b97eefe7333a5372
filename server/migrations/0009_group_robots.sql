-- Group robots a tenant registers: WeCom webhook robots (群机器人 / 消息推送) and DingTalk custom robots (自定义机器人).
-- Each is a send-only webhook into one group chat. Like platform_apps, no secret is stored here: `key_ref` names where
-- the WeCom webhook key or the DingTalk access_token lives (`env:NAME`, or `demo:VALUE` for demo tenants only), and
-- `sign_secret_ref` the DingTalk 加签 secret when the robot has signing on.
-- https://developer.work.weixin.qq.com/document/path/91770 ; https://open.dingtalk.com/document/orgapp/customize-robot-security-settings
-- The outbox paces robots by (channel, recipient) with recipient = this row's id, so two tenants never share a bucket
-- even if they name their robots alike.
CREATE TABLE group_robots (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  platform         text NOT NULL CHECK (platform IN ('wecom', 'dingtalk')),
  name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 64),
  chat_name        text NOT NULL DEFAULT '' CHECK (length(chat_name) <= 128),
  key_ref          text NOT NULL CHECK (key_ref ~ '^(env|demo):.+'),
  sign_secret_ref  text CHECK (sign_secret_ref ~ '^(env|demo):.+'),
  api_base_url     text NOT NULL CHECK (api_base_url ~ '^https?://'),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name),
  -- 加签 is DingTalk's; a WeCom webhook has only its key.
  CHECK (platform = 'dingtalk' OR sign_secret_ref IS NULL)
);
