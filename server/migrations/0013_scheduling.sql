-- Scheduling: each job's reschedule policy, and what an interview records of the candidate's answers.

-- Self-service limits per job (candidate journey): minimum notice for rescheduling and, separately, for cancelling;
-- how often a candidate may reschedule; whether a reason is required. HR can always override.
CREATE TABLE job_schedule_policies (
  job_id                     uuid PRIMARY KEY,
  tenant_id                  uuid NOT NULL,
  reschedule_notice_minutes  integer NOT NULL DEFAULT 720 CHECK (reschedule_notice_minutes BETWEEN 0 AND 20160),
  cancel_notice_minutes      integer NOT NULL DEFAULT 240 CHECK (cancel_notice_minutes BETWEEN 0 AND 20160),
  max_reschedules            integer NOT NULL DEFAULT 2 CHECK (max_reschedules BETWEEN 0 AND 10),
  reason_required            boolean NOT NULL DEFAULT true,
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE interviews
  ADD COLUMN reschedule_count integer NOT NULL DEFAULT 0 CHECK (reschedule_count >= 0),
  ADD COLUMN confirmed_at     timestamptz,
  ADD COLUMN decline_reason   text CHECK (length(decline_reason) <= 500);
