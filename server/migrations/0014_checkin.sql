-- On the day: a check-in code per site and local day (printed as a QR at reception), and who marked a no-show.
CREATE TABLE checkin_codes (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  site       text NOT NULL CHECK (length(btrim(site)) > 0 AND length(site) <= 100),
  local_date date NOT NULL,
  code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{22}$'),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, site, local_date)
);

ALTER TABLE interviews
  ADD COLUMN checked_in_at     timestamptz,
  ADD COLUMN no_show_marked_by uuid,
  ADD CONSTRAINT interviews_no_show_marked_by_fk FOREIGN KEY (tenant_id, no_show_marked_by) REFERENCES employees (tenant_id, id);
