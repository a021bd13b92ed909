-- A report counts toward the site's report threshold with the weight the site's community
-- rules (REPORT_WEIGHT) gave its reporter when it was filed: 1 by default, 0 for a report
-- that is recorded but never holds. weight_rule names the rule version that set the weight
-- ('' when no rule did), so a moderator can tell why a report counted as it did.
ALTER TABLE reports ADD COLUMN weight double precision NOT NULL DEFAULT 1 CHECK (weight >= 0),
	ADD COLUMN weight_rule text NOT NULL DEFAULT '';

-- Approved proposals waiting for their site's delay, which every replica's enactment job
-- looks for each tick: few rows at any time, so a partial index finds them without reading
-- the decided ones.
CREATE INDEX rule_proposals_approved_idx ON rule_proposals (created_at) WHERE state = 'APPROVED';
