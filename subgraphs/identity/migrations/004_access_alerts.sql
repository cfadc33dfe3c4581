-- Alerts for privacy officers: unusual access the gateway noticed (many distinct children
-- in an hour, searching far more than peers) and every break-glass grant opened.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE service.access_alert (
  id           bigserial PRIMARY KEY,
  raised_at    timestamptz NOT NULL DEFAULT now(),
  kind         text NOT NULL CHECK (kind IN ('UNUSUAL_VOLUME', 'UNUSUAL_SEARCHING', 'BREAK_GLASS')),
  caller_sub   text NOT NULL,
  caller_name  text NOT NULL,
  caller_org   text NOT NULL,
  caller_roles text NOT NULL,
  count        integer,
  threshold    integer,
  detail       text NOT NULL,
  trace_id     text NOT NULL
);
CREATE INDEX access_alert_raised ON service.access_alert (raised_at);
