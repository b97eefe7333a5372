-- A DingTalk app has two ids: the AppKey (kept in agent_id: the stream gateway's clientId, the token API's appKey,
-- the robotCode) and a numeric AgentId, which smart HR (智能人事) calls need. WeCom apps leave this empty.
ALTER TABLE platform_apps ADD COLUMN numeric_agent_id text CHECK (numeric_agent_id ~ '^[0-9]+$');
