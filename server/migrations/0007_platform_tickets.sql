-- JS-SDK tickets are cached like access tokens (7200 s, and gettable only 400/h per corp and 100/h per app), so
-- the token cache keeps one row per app and purpose. The corp ticket signs wx.config, the app ticket
-- wx.agentConfig; swapping them fails in the client, so they are never stored under one key.
ALTER TABLE platform_tokens ADD COLUMN purpose text NOT NULL DEFAULT 'access_token'
  CHECK (purpose IN ('access_token', 'jsapi_corp', 'jsapi_agent'));
ALTER TABLE platform_tokens DROP CONSTRAINT platform_tokens_pkey;
ALTER TABLE platform_tokens ADD PRIMARY KEY (app_id, purpose);
