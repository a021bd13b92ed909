package postgres

import "fmt"

// What an erasure scrubs besides the account's own rows: the copies of its words and names
// that events left behind. Events carry IDs, which point nowhere once the account is gone,
// and a few texts that are the reader's own: a comment's body (comment.created and
// comment.edited carry it with its authorID), the username (user.created) and a report's
// details (comment.reported, keyed by the reporter's userID). Each copy of an event keeps its
// shape, with those texts blanked, so a relay, a webhook or the trust ledger that still holds
// it reads it as before. JetStream keeps published events until the stream's MaxAge (7 days);
// see the README's Events section.

// scrubbedPayload is the SQL of payload p (jsonb) of an event of kind k with user $1's texts
// blanked; scrubsPayload is true when it has any.
func scrubbedPayload(p, k string) string {
	return fmt.Sprintf(`CASE
		WHEN %[1]s ? 'bodySource' AND %[1]s->>'authorID' = $1::text THEN %[1]s || '{"body": "", "bodySource": ""}'::jsonb
		WHEN %[2]s = 'user.created' AND %[1]s->>'id' = $1::text THEN %[1]s || '{"username": ""}'::jsonb
		WHEN %[2]s = 'comment.reported' AND %[1]s->>'userID' = $1::text THEN %[1]s || '{"details": ""}'::jsonb
		ELSE %[1]s END`, p, k)
}

func scrubsPayload(p, k string) string {
	return fmt.Sprintf(`((%[1]s ? 'bodySource' AND %[1]s->>'authorID' = $1::text)
		OR (%[2]s = 'user.created' AND %[1]s->>'id' = $1::text)
		OR (%[2]s = 'comment.reported' AND %[1]s->>'userID' = $1::text))`, p, k)
}

// scrubKinds are the kinds whose payloads may hold a reader's texts, so the scans below skip
// the rest by their kind column.
const scrubKinds = `('comment.created', 'comment.edited', 'user.created', 'comment.reported')`

// scrubSteps run inside the erasure's transaction, before the account's row goes: they
// read its username and email from it. $1 is the account's ID.
var scrubSteps = []struct{ what, sql string }{
	{"scrub outbox", `UPDATE outbox SET payload = ` + scrubbedPayload("payload", "kind") + `
		WHERE kind IN ` + scrubKinds + ` AND ` + scrubsPayload("payload", "kind")},
	{"scrub trust ledger", `UPDATE trust_ledger SET payload = ` + scrubbedPayload("payload", "kind") + `
		WHERE kind IN ` + scrubKinds + ` AND ` + scrubsPayload("payload", "kind")},
	// A webhook body is the event under an envelope, stored as the bytes to send (signed when
	// sent): the payload inside is scrubbed and the body written back.
	{"scrub webhook events", `
		WITH held AS (
			SELECT event_id, kind, convert_from(body, 'UTF8')::jsonb AS b FROM webhook_events WHERE kind IN ` + scrubKinds + `
		)
		UPDATE webhook_events w SET body = convert_to(jsonb_set(held.b, '{payload}', ` + scrubbedPayload("(held.b->'payload')", "held.kind") + `)::text, 'UTF8')
		FROM held WHERE w.event_id = held.event_id AND ` + scrubsPayload("(held.b->'payload')", "held.kind")},
	// Mail to the account's addresses (its own, a new one waiting for confirmation), sent or
	// queued: each holds an address and a greeting by name.
	{"forget mail", `
		DELETE FROM mail WHERE lower(to_address) IN (
			SELECT lower(email) FROM users WHERE id = $1 AND email IS NOT NULL
			UNION SELECT lower(email) FROM account_tokens WHERE user_id = $1)`},
	// An imported author's key holds the email of the source, and for an anonymous author its
	// name or email in the key itself; the key stays (hashed) so the row's place is kept.
	{"forget import keys", `
		UPDATE import_keys SET email = '', external_id = 'erased:' || encode(sha256(convert_to(external_id, 'UTF8')), 'hex')
		WHERE kind = 'author' AND local_id = $1`},
	// Failed sign-ins are keyed by a hash of the login (auth.lockoutKey): username or email.
	{"forget sign-in failures", `
		DELETE FROM sign_in_failures WHERE key IN (
			SELECT 'signin:' || encode(sha256(convert_to(lower(login), 'UTF8')), 'hex')
			FROM users, unnest(ARRAY[username, email]) AS login WHERE id = $1 AND login IS NOT NULL)`},
}
