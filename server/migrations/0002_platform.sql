-- Platform layer: the apps a tenant connects (WeCom, WeChat, DingTalk), their cached access tokens, and the inbox
-- that makes every accepted callback durable before it is acknowledged.

-- One row per tenant and kind of credential. WeCom issues a separate secret (and so a separate token) per app,
-- for contacts sync, for 微信客服 and for the HR assistant; DingTalk has one per app. Secrets are never stored here:
-- `*_ref` names where to read them — `env:NAME` (an environment variable) or, for demo tenants only, `demo:VALUE`
-- (the local simulator's well-known credentials).
CREATE TABLE platform_apps (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind                  text NOT NULL
    CHECK (kind IN ('wecom_app', 'wecom_contacts', 'wecom_kf', 'wecom_hr', 'wecom_aibot', 'wechat_miniprogram', 'dingtalk_app')),
  corp_id               text NOT NULL CHECK (length(corp_id) > 0),
  agent_id              text,
  secret_ref            text NOT NULL CHECK (secret_ref ~ '^(env|demo):.+'),
  callback_token_ref    text CHECK (callback_token_ref ~ '^(env|demo):.+'),
  encoding_aes_key_ref  text CHECK (encoding_aes_key_ref ~ '^(env|demo):.+'),
  api_base_url          text NOT NULL CHECK (api_base_url ~ '^https?://'),
  created_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, kind),
  CHECK (kind <> 'wecom_app' OR agent_id IS NOT NULL),
  CHECK ((callback_token_ref IS NULL) = (encoding_aes_key_ref IS NULL))
);

-- The cluster-wide token cache: instances refresh under an advisory lock so that one gettoken serves them all.
CREATE TABLE platform_tokens (
  app_id       uuid PRIMARY KEY REFERENCES platform_apps (id) ON DELETE CASCADE,
  access_token text NOT NULL,
  expires_at   timestamptz NOT NULL,
  fetched_at   timestamptz NOT NULL DEFAULT now()
);

-- Every accepted callback, stored before the platform gets its 200. The unique key is the platform's own
-- identity of the event (MsgId; event type + ids + sender + CreateTime; TaskId + EventKey + user for card clicks),
-- so a retried or replayed callback lands on the existing row instead of a second effect.
CREATE TABLE inbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  app_id           uuid NOT NULL,
  dedupe_key       text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 512),
  kind             text NOT NULL CHECK (length(kind) > 0),
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'done', 'dead')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claimed_until    timestamptz,
  last_error       text,
  received_at      timestamptz NOT NULL DEFAULT now(),
  processed_at     timestamptz,
  duplicates       integer NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
  FOREIGN KEY (tenant_id, app_id) REFERENCES platform_apps (tenant_id, id) ON DELETE CASCADE,
  UNIQUE (app_id, dedupe_key),
  CHECK (status <> 'done' OR processed_at IS NOT NULL)
);
CREATE INDEX inbox_due_idx ON inbox (next_attempt_at) WHERE status = 'pending';
