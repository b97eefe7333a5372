-- The HR bot (issue 7). The bot reaches the server over HTTP as the employee who wrote the command: the server, having
-- verified the platform's signed callback, hands the bot a short-lived session of method 'bot' for that employee, so
-- every command is authorised exactly like the same person's own request and audited under their name.
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check
  CHECK (method IN ('demo', 'wecom_miniapp', 'dingtalk_miniapp', 'wecom_web', 'dingtalk_web', 'wechat_miniapp', 'invitation', 'bot'));

-- A command is taken up once per platform message: the bot.command audit row (request id = the platform's message id)
-- is looked up before acting, so an inbox retry after the bot acted never runs the command twice.
CREATE INDEX audit_events_bot_command_idx ON audit_events (tenant_id, request_id) WHERE action = 'bot.command';
