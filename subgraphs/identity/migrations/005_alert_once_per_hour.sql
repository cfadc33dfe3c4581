-- An unusual-access alert is for one caller and one hour: the gateway may send the same one
-- again (two replicas at once, or a retry after identity had recorded it), and it is kept once.
-- Break-glass alerts have no hour: each grant is its own alert.
ALTER TABLE service.access_alert ADD COLUMN counted_hour timestamptz;
CREATE UNIQUE INDEX access_alert_once ON service.access_alert (caller_sub, kind, counted_hour) WHERE counted_hour IS NOT NULL;
