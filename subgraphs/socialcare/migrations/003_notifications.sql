-- Notifications for a child's local authority when someone outside it reads the child's
-- social care status (as CP-IS tells the local authority when an unscheduled-care
-- clinician views a child protection plan). Written by the service role.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE service.access_notification (
  id           bigserial PRIMARY KEY,
  la_code      text NOT NULL,
  nhs_number   text NOT NULL,
  viewed_at    timestamptz NOT NULL DEFAULT now(),
  trace_id     text NOT NULL,
  caller_sub   text NOT NULL,
  caller_name  text NOT NULL,
  caller_org   text NOT NULL,
  caller_roles text NOT NULL,
  purpose      text NOT NULL,
  break_glass  text
);
CREATE INDEX access_notification_la ON service.access_notification (la_code, viewed_at);
