package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// RuleStore implements parley.RuleStore.
type RuleStore struct {
	db *DB
}

// NewRuleStore returns the rule store on db.
func NewRuleStore(db *DB) *RuleStore { return &RuleStore{db: db} }

var _ parley.RuleStore = (*RuleStore)(nil)

const ruleColumns = `v.rule_id, v.site_id, v.name, v.expression, v.effect, v.shadow, v.version, v.retired, v.proposal_id, v.enacted_at`

func scanRules(rows pgx.Rows) ([]*parley.Rule, error) {
	defer rows.Close()
	out := []*parley.Rule{}
	for rows.Next() {
		r := &parley.Rule{}
		var effect []byte
		if err := rows.Scan(&r.ID, &r.SiteID, &r.Name, &r.Expression, &effect, &r.Shadow, &r.Version, &r.Retired, &r.ProposalID, &r.EnactedAt); err != nil {
			return nil, translate(err)
		}
		if err := json.Unmarshal(effect, &r.Effect); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// Rules returns the current version of each rule in force, oldest rule first, so a site's
// rules always run in the same order.
func (s *RuleStore) Rules(ctx context.Context, siteID string) ([]*parley.Rule, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT `+ruleColumns+` FROM rule_heads h
		JOIN rule_versions v ON v.rule_id = h.rule_id AND v.version = h.version
		WHERE h.site_id = $1 AND NOT h.retired
		ORDER BY h.rule_id`, siteID)
	if err != nil {
		return nil, translate(err)
	}
	return scanRules(rows)
}

// RuleVersions returns every version of a rule, newest first.
func (s *RuleStore) RuleVersions(ctx context.Context, siteID, ruleID string) ([]*parley.Rule, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT `+ruleColumns+` FROM rule_versions v WHERE v.site_id = $1 AND v.rule_id = $2 ORDER BY v.version DESC`, siteID, ruleID)
	if err != nil {
		return nil, translate(err)
	}
	rules, err := scanRules(rows)
	if err == nil && len(rules) == 0 {
		return nil, notFound("Rule not found.")
	}
	return rules, err
}

// CreateProposal stores a new proposal, with its event unless it is a draft.
func (s *RuleStore) CreateProposal(ctx context.Context, p *parley.RuleProposal) error {
	p.ID = newID()
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := writeProposal(ctx, tx, p, true); err != nil {
			return err
		}
		if p.State == parley.ProposalDraft {
			return nil
		}
		if err := logProposal(ctx, tx, p, parley.ProposalDraft); err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: p.SiteID, Payload: parley.ProposalChanged{Proposal: *p, Change: parley.ProposalProposed}})
	})
}

func writeProposal(ctx context.Context, tx pgx.Tx, p *parley.RuleProposal, create bool) error {
	votes := p.Votes
	p.Votes = nil
	doc, err := json.Marshal(p)
	p.Votes = votes
	if err != nil {
		return err
	}
	if create {
		_, err = tx.Exec(ctx, `INSERT INTO rule_proposals (id, site_id, author_id, state, doc, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			p.ID, p.SiteID, p.AuthorID, p.State, doc, p.CreatedAt)
	} else {
		_, err = tx.Exec(ctx, `UPDATE rule_proposals SET state = $2, doc = $3 WHERE id = $1`, p.ID, p.State, doc)
	}
	return translate(err)
}

// Proposal returns one proposal with its votes.
func (s *RuleStore) Proposal(ctx context.Context, id string) (*parley.RuleProposal, error) {
	return readProposal(ctx, s.db.pool, id, false)
}

func readProposal(ctx context.Context, q querier, id string, lock bool) (*parley.RuleProposal, error) {
	if !parley.IsID(id) {
		return nil, notFound("Proposal not found.")
	}
	sql := `SELECT doc FROM rule_proposals WHERE id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var doc []byte
	if err := q.QueryRow(ctx, sql, id).Scan(&doc); err != nil {
		return nil, translateNotFound(err, "Proposal not found.")
	}
	p := &parley.RuleProposal{}
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, err
	}
	votes, err := readVotes(ctx, q, []string{id})
	if err != nil {
		return nil, err
	}
	p.Votes = votes[id]
	if p.Votes == nil {
		p.Votes = []parley.RuleVote{}
	}
	return p, nil
}

func readVotes(ctx context.Context, q querier, ids []string) (map[string][]parley.RuleVote, error) {
	rows, err := q.Query(ctx, `SELECT proposal_id, user_id, approve, moderator, voted_at FROM rule_votes
		WHERE proposal_id = ANY($1) ORDER BY voted_at, user_id`, ids)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string][]parley.RuleVote{}
	for rows.Next() {
		var pid string
		var v parley.RuleVote
		if err := rows.Scan(&pid, &v.UserID, &v.Approve, &v.Moderator, &v.VotedAt); err != nil {
			return nil, translate(err)
		}
		out[pid] = append(out[pid], v)
	}
	return out, translate(rows.Err())
}

// Proposals lists a site's proposals, the newest 100, newest first.
func (s *RuleStore) Proposals(ctx context.Context, siteID string, state parley.ProposalState) ([]*parley.RuleProposal, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT id, doc FROM rule_proposals WHERE site_id = $1 AND ($2 = '' OR state = $2)
		ORDER BY created_at DESC, id DESC LIMIT 100`, siteID, string(state))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := []*parley.RuleProposal{}
	var ids []string
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, translate(err)
		}
		p := &parley.RuleProposal{}
		if err := json.Unmarshal(doc, p); err != nil {
			return nil, err
		}
		out, ids = append(out, p), append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	votes, err := readVotes(ctx, s.db.pool, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		p.Votes = votes[p.ID]
		if p.Votes == nil {
			p.Votes = []parley.RuleVote{}
		}
	}
	return out, nil
}

// UpdateProposal locks the proposal, stores the vote (if any), lets fn change the proposal
// and stores it with fn's event, all in one transaction.
func (s *RuleStore) UpdateProposal(ctx context.Context, id string, vote *parley.RuleVote, fn func(p *parley.RuleProposal) (parley.EventPayload, error)) (*parley.RuleProposal, error) {
	var out *parley.RuleProposal
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		p, err := readProposal(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if vote != nil && p.State == parley.ProposalOpen {
			if _, err := tx.Exec(ctx, `
				INSERT INTO rule_votes (proposal_id, user_id, approve, moderator, voted_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (proposal_id, user_id) DO UPDATE SET approve = excluded.approve, moderator = excluded.moderator, voted_at = excluded.voted_at`,
				id, vote.UserID, vote.Approve, vote.Moderator, vote.VotedAt); err != nil {
				return translate(err)
			}
			votes, err := readVotes(ctx, tx, []string{id})
			if err != nil {
				return err
			}
			p.Votes = votes[id]
		}
		before := p.State
		ev, err := fn(p)
		if err != nil {
			return err
		}
		if err := writeProposal(ctx, tx, p, false); err != nil {
			return err
		}
		if err := logProposal(ctx, tx, p, before); err != nil {
			return err
		}
		out = p
		if ev == nil {
			return nil
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: p.SiteID, Payload: ev})
	})
	return out, err
}

// Enact enacts an approved proposal in one transaction: the rule's new version (or the
// site's thresholds), the site's rules version, the proposal and the event.
func (s *RuleStore) Enact(ctx context.Context, id string, now time.Time) (*parley.RuleProposal, *parley.Rule, error) {
	var p *parley.RuleProposal
	var rule *parley.Rule
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if p, err = readProposal(ctx, tx, id, true); err != nil {
			return err
		}
		if p.State != parley.ProposalApproved {
			return parley.Errorf(parley.ECONFLICT, "The proposal is %s; only an APPROVED proposal can be enacted.", p.State)
		}
		if rule, err = enactChange(ctx, tx, p, now); err != nil {
			return err
		}
		site, err := scanSite(tx.QueryRow(ctx, `
			UPDATE sites SET settings = jsonb_set(settings, '{rules}', coalesce(settings->'rules', '{}') ||
				jsonb_build_object('version', coalesce((settings->'rules'->>'version')::int, 0) + 1)), updated_at = now()
			WHERE id = $1 RETURNING `+siteColumns, p.SiteID))
		if err != nil {
			return translateNotFound(err, "Site not found.")
		}
		// The site's settings changed (its rules version, perhaps its thresholds): say so as
		// any change of settings does.
		if err := insertEvent(ctx, tx, parley.Event{SiteID: site.ID, Payload: parley.SiteUpdated(parley.SiteCreatedOf(site))}); err != nil {
			return err
		}
		version := parley.RuleSettingsOf(site.Settings).Version
		p.State, p.EnactedAt = parley.ProposalEnacted, &now
		if rule != nil {
			p.RuleID, p.EnactedVersion = rule.ID, rule.Version
		}
		if err := writeProposal(ctx, tx, p, false); err != nil {
			return err
		}
		if err := AppendModerationLog(ctx, tx, p.SiteID, parley.LogRuleEnacted, rulePayload(p)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: p.SiteID, Payload: parley.RuleEnacted{Proposal: *p, Rule: rule, RulesVersion: version}})
	})
	if err != nil {
		return nil, nil, err
	}
	return p, rule, nil
}

// enactChange writes what the proposal changes; a rule that moved past the proposal's base
// version (another enactment won) is a conflict.
func enactChange(ctx context.Context, tx pgx.Tx, p *parley.RuleProposal, now time.Time) (*parley.Rule, error) {
	if p.Kind == parley.ProposalChangeThresholds {
		th, err := json.Marshal(p.Thresholds)
		if err != nil {
			return nil, err
		}
		_, err = tx.Exec(ctx, `UPDATE sites SET settings = jsonb_set(settings, '{trust}', $2) WHERE id = $1`, p.SiteID, th)
		return nil, translate(err)
	}
	r := &parley.Rule{SiteID: p.SiteID, Name: p.Name, Expression: p.Expression, Effect: p.Effect, Shadow: p.Shadow,
		ProposalID: p.ID, EnactedAt: now}
	switch p.Kind {
	case parley.ProposalAddRule:
		r.ID, r.Version = newID(), 1
		if _, err := tx.Exec(ctx, `INSERT INTO rule_heads (rule_id, site_id, name, version) VALUES ($1, $2, $3, 1)`, r.ID, r.SiteID, r.Name); err != nil {
			return nil, translate(err)
		}
	default:
		r.ID, r.Retired = p.RuleID, p.Kind == parley.ProposalRetireRule
		err := tx.QueryRow(ctx, `
			UPDATE rule_heads SET version = version + 1, name = $4, retired = $5
			WHERE rule_id = $1 AND site_id = $2 AND version = $3 AND NOT retired RETURNING version`,
			r.ID, r.SiteID, p.BaseVersion, r.Name, r.Retired).Scan(&r.Version)
		if noRows(err) {
			return nil, parley.Errorf(parley.ECONFLICT, "The rule changed after this proposal was made (another proposal was enacted first); propose again on its current version.")
		}
		if err != nil {
			return nil, translate(err)
		}
	}
	effect, err := json.Marshal(r.Effect)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO rule_versions (rule_id, version, site_id, name, expression, effect, shadow, retired, proposal_id, enacted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, r.ID, r.Version, r.SiteID, r.Name, r.Expression, effect, r.Shadow, r.Retired, r.ProposalID, r.EnactedAt)
	return r, translate(err)
}

// SetRuleSettings stores a site's governance, keeping the rules version enactments set.
func (s *RuleStore) SetRuleSettings(ctx context.Context, siteID string, rs parley.RuleSettings) error {
	doc, err := json.Marshal(rs)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		site, err := scanSite(tx.QueryRow(ctx, `
			UPDATE sites SET settings = jsonb_set(settings, '{rules}', $2::jsonb ||
				jsonb_build_object('version', coalesce((settings->'rules'->>'version')::int, 0))), updated_at = now()
			WHERE id = $1 RETURNING `+siteColumns, siteID, doc))
		if err != nil {
			return translateNotFound(err, "Site not found.")
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: site.ID, Payload: parley.SiteUpdated(parley.SiteCreatedOf(site))})
	})
}

// BacktestSample reads the site's latest n comments with their stories, their authors'
// levels as they stood, the flags other stages raised and the moderators' decisions.
func (s *RuleStore) BacktestSample(ctx context.Context, siteID string, n int) ([]parley.BacktestItem, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT c.id, c.story_id, coalesce(c.author_id::text, ''), coalesce(c.parent_id::text, ''), c.depth, c.body, c.body_source,
			c.status, c.created_at, st.url, st.title, st.closed, st.created_at,
			u.created_at, CASE WHEN u.admin THEN 'ADMIN' ELSE coalesce(r.role, 'COMMENTER') END,
			coalesce((SELECT tc.to_level FROM trust_changes tc WHERE tc.site_id = c.site_id AND tc.user_id = c.author_id
				AND tc.created_at <= c.created_at ORDER BY tc.created_at DESC LIMIT 1), 0),
			coalesce((SELECT ma.action FROM moderator_actions ma WHERE ma.comment_id = c.id AND ma.moderator_id IS NOT NULL
				AND ma.action IN ('APPROVE', 'REJECT') ORDER BY ma.created_at DESC LIMIT 1), ''),
			coalesce((SELECT array_agg(f) FROM comment_moderations cm, jsonb_array_elements(cm.trail) step,
				jsonb_array_elements_text(coalesce(step->'verdict'->'flags', '[]')) f
				WHERE cm.comment_id = c.id AND NOT coalesce((step->>'shadow')::boolean, false) AND step->>'stage' <> 'trust_rules'), '{}')
		FROM comments c
		JOIN stories st ON st.id = c.story_id
		LEFT JOIN users u ON u.id = c.author_id
		LEFT JOIN site_roles r ON r.site_id = c.site_id AND r.user_id = c.author_id
		WHERE c.site_id = $1
		ORDER BY c.created_at DESC, c.id DESC
		LIMIT $2`, siteID, n)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []parley.BacktestItem
	for rows.Next() {
		c := &parley.Comment{SiteID: siteID}
		st := &parley.Story{SiteID: siteID}
		var it parley.BacktestItem
		var authorCreated *time.Time
		var level int
		var human string
		if err := rows.Scan(&c.ID, &c.StoryID, &c.AuthorID, &c.ParentID, &c.Depth, &c.Body, &c.BodySource, &c.Status, &c.CreatedAt,
			&st.URL, &st.Title, &st.Closed, &st.CreatedAt, &authorCreated, &it.Role, &level, &human, &it.Flags); err != nil {
			return nil, translate(err)
		}
		st.ID = c.StoryID
		if authorCreated != nil {
			it.AuthorCreatedAt = *authorCreated
		}
		it.Comment, it.Story, it.Level, it.Human = c, st, parley.TrustLevel(level), parley.Decision(human)
		out = append(out, it)
	}
	return out, translate(rows.Err())
}

// logProposal writes the public log's entries for a proposal whose state went from before
// to p.State, in the transaction of the change: a proposal made public, and a decided vote
// with its tally. Drafts and votes that change no state are not logged.
func logProposal(ctx context.Context, tx pgx.Tx, p *parley.RuleProposal, before parley.ProposalState) error {
	if p.State == before || p.State == parley.ProposalDraft || p.State == parley.ProposalEnacted {
		return nil // an enactment is logged by Enact
	}
	if err := AppendModerationLog(ctx, tx, p.SiteID, parley.LogRuleProposal, rulePayload(p)); err != nil {
		return err
	}
	if before != parley.ProposalOpen || (p.State != parley.ProposalApproved && p.State != parley.ProposalRejected) {
		return nil
	}
	return AppendModerationLog(ctx, tx, p.SiteID, parley.LogRuleVotes, rulePayload(p))
}

// rulePayload is what the public log shows of a proposal: its rule, state, version and
// tally, never who voted how.
func rulePayload(p *parley.RuleProposal) parley.RuleLogPayload {
	name := p.Name
	if p.Kind == parley.ProposalChangeThresholds {
		name = "trust thresholds"
	}
	summary := p.Rationale
	if r := []rune(summary); len(r) > 200 {
		summary = string(r[:200]) + "…"
	}
	return parley.RuleLogPayload{ProposalID: p.ID, Rule: name, State: string(p.State), Version: p.EnactedVersion,
		VotesFor: p.Tally.ModeratorsFor + p.Tally.MembersFor, VotesAgainst: p.Tally.ModeratorsAgainst + p.Tally.MembersAgainst,
		Summary: summary}
}

// DueProposals lists the APPROVED proposals whose delay ended by now, longest-waiting first,
// from the partial index of approved proposals (a handful at any time).
func (s *RuleStore) DueProposals(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT id FROM rule_proposals
		WHERE state = 'APPROVED' AND (doc->>'enactAfter')::timestamptz <= $1
		ORDER BY (doc->>'enactAfter')::timestamptz, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, translate(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, translate(err)
}
