-- Where each interview lives in the platform calendars (WeCom 日程 schedule_id, DingTalk "<organizer unionId>/<eventId>"),
-- one row per interview and platform app: a reschedule updates that event and a cancel deletes it, instead of
-- creating a second one. The row is written as soon as the platform answers, so a retried outbox row (after a
-- crash before it was marked sent) finds it and updates. `deleted_at` keeps the reference of a cancelled event so
-- that a retried delete is a no-op and a later re-schedule makes a fresh event.
CREATE TABLE calendar_events (
  tenant_id        uuid NOT NULL,
  interview_id     uuid NOT NULL,
  app_id           uuid NOT NULL REFERENCES platform_apps (id) ON DELETE CASCADE,
  event_ref        text NOT NULL CHECK (length(event_ref) > 0),
  schedule_version integer NOT NULL CHECK (schedule_version >= 0),
  synced_at        timestamptz NOT NULL,
  deleted_at       timestamptz,
  PRIMARY KEY (interview_id, app_id),
  FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, app_id) REFERENCES platform_apps (tenant_id, id) ON DELETE CASCADE
);
