-- Candidate channels: how HireBridge can reach a candidate on personal WeChat, and what each channel still allows.
-- 微信客服 (kf) may answer only within 48 h of the candidate's last message and at most 5 times per message
-- (https://developer.work.weixin.qq.com/document/path/94677); a mini-program subscription message needs one prior
-- acceptance per send and template (https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html).
-- Both budgets are kept here so the server never asks the platform for a send it knows will be refused.

CREATE TABLE candidate_channels (
  candidate_id                    uuid PRIMARY KEY,
  tenant_id                       uuid NOT NULL,
  kf_app_id                       uuid,
  kf_open_kfid                    text,
  kf_external_userid              text,
  kf_last_customer_message_at     timestamptz,
  kf_sent_since_customer_message  integer NOT NULL DEFAULT 0 CHECK (kf_sent_since_customer_message BETWEEN 0 AND 5),
  mp_app_id                       uuid,
  mp_openid                       text,
  mp_unionid                      text,
  updated_at                      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, kf_app_id) REFERENCES platform_apps (tenant_id, id),
  FOREIGN KEY (tenant_id, mp_app_id) REFERENCES platform_apps (tenant_id, id),
  CHECK ((kf_external_userid IS NULL) = (kf_open_kfid IS NULL)),
  CHECK (kf_external_userid IS NULL OR kf_app_id IS NOT NULL),
  CHECK (mp_openid IS NULL OR mp_app_id IS NOT NULL)
);
-- One WeChat person is one candidate per tenant's kf / mini-program: the inbound message finds its candidate.
CREATE UNIQUE INDEX candidate_channels_kf_user ON candidate_channels (kf_app_id, kf_external_userid) WHERE kf_external_userid IS NOT NULL;
CREATE UNIQUE INDEX candidate_channels_mp_user ON candidate_channels (mp_app_id, mp_openid) WHERE mp_openid IS NOT NULL;

-- One-time subscription acceptances still unused, per candidate and template. Incremented when the mini-program
-- reports an "accept", decremented before a send, zeroed when WeChat answers 43101.
CREATE TABLE candidate_subscription_balances (
  candidate_id  uuid NOT NULL REFERENCES candidate_channels (candidate_id) ON DELETE CASCADE,
  template_id   text NOT NULL CHECK (length(template_id) BETWEEN 1 AND 128),
  balance       integer NOT NULL DEFAULT 0 CHECK (balance >= 0),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (candidate_id, template_id)
);

-- kf contact links handed to candidates. The link's scene_param is this row's id, echoed by the enter_session event,
-- which is how an anonymous external_userid becomes a known candidate.
CREATE TABLE kf_invitations (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL,
  candidate_id  uuid NOT NULL,
  kf_app_id     uuid NOT NULL,
  open_kfid     text NOT NULL,
  url           text NOT NULL CHECK (url ~ '^https://'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  entered_at    timestamptz,
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, kf_app_id) REFERENCES platform_apps (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX kf_invitations_candidate_idx ON kf_invitations (candidate_id);

-- sync_msg's position per kf account. A lost cursor replays up to 3 days of history, so it lives in the database
-- and moves in the same transaction that stores the messages it read.
CREATE TABLE kf_sync_cursors (
  kf_app_id   uuid NOT NULL REFERENCES platform_apps (id) ON DELETE CASCADE,
  open_kfid   text NOT NULL,
  cursor      text NOT NULL DEFAULT '',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kf_app_id, open_kfid)
);

-- msgids already handled: a replayed page (cursor rolled back, two doorbells at once) is skipped message by message.
CREATE TABLE kf_processed_messages (
  kf_app_id     uuid NOT NULL REFERENCES platform_apps (id) ON DELETE CASCADE,
  msgid         text NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kf_app_id, msgid)
);

-- Which channel carried each candidate message (or why none could), once per logical message.
CREATE TABLE candidate_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL,
  candidate_id     uuid NOT NULL,
  idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 256),
  message_kind     text NOT NULL CHECK (message_kind IN ('text', 'choices', 'interview_reminder')),
  channel          text CHECK (channel IN ('subscription', 'kf', 'hr_call_task')),
  outcome          text NOT NULL CHECK (outcome IN ('sent', 'hr_call_task', 'undeliverable')),
  attempts         jsonb NOT NULL DEFAULT '[]',
  receipt          jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id) ON DELETE CASCADE,
  CHECK ((outcome = 'undeliverable') = (channel IS NULL))
);
CREATE INDEX candidate_deliveries_candidate_idx ON candidate_deliveries (candidate_id, created_at DESC);
