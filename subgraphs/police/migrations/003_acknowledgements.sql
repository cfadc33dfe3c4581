-- What the police subgraph itself records (schema `service`, written by its service role): each school's
-- acknowledgement of an Encompass notification, by its designated safeguarding lead. Who, and when.
CREATE SCHEMA IF NOT EXISTS service;
CREATE TABLE service.encompass_acknowledgement (
  notification_id      text PRIMARY KEY,
  acknowledged_by      text NOT NULL,
  acknowledged_by_name text NOT NULL,
  acknowledged_by_org  text NOT NULL,
  trace_id             text NOT NULL,
  acknowledged_at      timestamptz NOT NULL DEFAULT now()
);
