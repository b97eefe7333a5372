-- The HR bot's remaining commands (issue 7): 订阅 (a daily digest in a group chat) and 导出 (an .xlsx of interviews and
-- scores delivered 1:1 to the requester as a short-lived download link).

-- 订阅: one digest per chat. The dispatcher claims due rows with FOR UPDATE SKIP LOCKED and, in the same transaction,
-- queues the digest through the outbox and moves next_run_at to the next local time after now, so a server that was
-- down for days sends at most one late digest. The digest shows what the subscriber may see (their scope).
CREATE TABLE bot_digests (
  tenant_id     uuid NOT NULL,
  platform      text NOT NULL CHECK (platform IN ('wecom', 'dingtalk')),
  chat_id       text NOT NULL CHECK (length(chat_id) BETWEEN 1 AND 200),
  employee_id   uuid NOT NULL,
  local_time    text NOT NULL CHECK (local_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  time_zone     text NOT NULL,
  next_run_at   timestamptz NOT NULL,
  last_sent_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, platform, chat_id),
  FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX bot_digests_due_idx ON bot_digests (next_run_at);

-- 导出: the file waits here for its single download. The link carries a random token; only its SHA-256 is stored.
-- The body is dropped when it is downloaded or found expired.
CREATE TABLE bot_exports (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL,
  employee_id    uuid NOT NULL,
  token_hash     bytea NOT NULL UNIQUE,
  filename       text NOT NULL,
  body           bytea,
  row_count      integer NOT NULL CHECK (row_count >= 0),
  expires_at     timestamptz NOT NULL,
  downloaded_at  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id) ON DELETE CASCADE,
  CHECK (downloaded_at IS NULL OR body IS NULL)
);
CREATE INDEX bot_exports_expiry_idx ON bot_exports (expires_at) WHERE body IS NOT NULL;
