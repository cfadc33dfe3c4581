-- Schools are told when a pupil's location must be withheld (for example, a
-- child placed away from a risk): such a pupil's school is never disclosed to
-- anyone but the school itself. The subgraph only reads this table.
ALTER TABLE records.pupil ADD COLUMN restricted boolean NOT NULL DEFAULT false;
