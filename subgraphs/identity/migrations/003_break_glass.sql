-- Break-glass grants, as the gateway opens them, for privacy officers to review: who
-- declared an emergency for which child, why, and for how long; and the review.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE service.break_glass_grant (
  id               text PRIMARY KEY,
  caller_sub       text NOT NULL,
  caller_name      text NOT NULL,
  caller_org       text NOT NULL,
  caller_roles     text NOT NULL,
  nhs_number       text NOT NULL,
  justification    text NOT NULL,
  trace_id         text NOT NULL,
  opened_at        timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  outcome          text CHECK (outcome IN ('APPROPRIATE', 'INAPPROPRIATE')),
  note             text,
  reviewed_by      text,
  reviewed_by_name text,
  reviewed_at      timestamptz
);
CREATE INDEX break_glass_grant_unreviewed ON service.break_glass_grant (opened_at) WHERE outcome IS NULL;
