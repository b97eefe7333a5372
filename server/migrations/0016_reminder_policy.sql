-- Reminder policy per tenant: when candidates and the panel are reminded, and when HR hears of an unconfirmed
-- interview. Without a row the defaults apply (candidate T-24h and T-2h, panel T-30m, HR at T-24h).
CREATE TABLE reminder_policies (
  tenant_id                 uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  candidate_minutes         integer[] NOT NULL DEFAULT '{1440,120}'
    CHECK (cardinality(candidate_minutes) BETWEEN 0 AND 3 AND 15 <= ALL (candidate_minutes) AND 10080 >= ALL (candidate_minutes)),
  panel_minutes             integer CHECK (panel_minutes BETWEEN 5 AND 1440),
  unconfirmed_alert_minutes integer CHECK (unconfirmed_alert_minutes BETWEEN 60 AND 10080),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
