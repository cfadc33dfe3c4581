-- Placements of looked-after children, and the case-management system's flag for
-- children whose whereabouts must not be disclosed (for example, fleeing domestic abuse).
ALTER TABLE records.person ADD COLUMN restricted boolean NOT NULL DEFAULT false;

CREATE TABLE records.placement (
  placement_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id      text NOT NULL REFERENCES records.person (person_id),
  placement_type text NOT NULL,
  started_on     date NOT NULL,
  ended_on       date,
  area           text NOT NULL
);
CREATE INDEX placement_person ON records.placement (person_id) WHERE ended_on IS NULL;
