-- Roster sync: each import of a tenant's platform directory (a manual sync or the nightly reconciliation) and the
-- report of what it changed. At most one run per tenant is `running` at a time (the partial unique index): two
-- instances firing the nightly schedule together run it once.
CREATE TABLE roster_sync_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  mode         text NOT NULL CHECK (mode IN ('sync', 'reconcile')),
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  report       jsonb,
  error        text,
  CHECK ((status = 'running') = (finished_at IS NULL)),
  CHECK (status <> 'succeeded' OR report IS NOT NULL)
);
CREATE UNIQUE INDEX roster_sync_runs_one_running ON roster_sync_runs (tenant_id) WHERE status = 'running';
CREATE INDEX roster_sync_runs_tenant_idx ON roster_sync_runs (tenant_id, started_at DESC);
