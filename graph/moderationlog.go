package graph

import (
	"github.com/parleyhq/parley"
)

// errNoLog answers the log on a server built without it.
var errNoLog = parley.Errorf(parley.ENOTFOUND, "No moderation log is kept on this server.")

// logConnection translates a page of the log into its Relay connection.
func logConnection(page *parley.LogPage) *ModerationLogConnection {
	conn := &ModerationLogConnection{Edges: make([]*ModerationLogEdge, len(page.Entries)), PageInfo: &PageInfo{HasNextPage: page.HasNext}}
	for i, e := range page.Entries {
		conn.Edges[i] = &ModerationLogEdge{Cursor: e.Cursor(), Node: logEntry(e)}
	}
	if n := len(page.Entries); n > 0 {
		end := conn.Edges[n-1].Cursor
		conn.PageInfo.EndCursor = &end
	}
	return conn
}

// logEntry fills the fields of the entry's kind and leaves the others null.
func logEntry(e *parley.LogEntry) *ModerationLogEntry {
	out := &ModerationLogEntry{Kind: ModerationLogKind(e.Kind), At: e.At, Username: nonEmpty(e.Username), Moderator: nonEmpty(e.Moderator)}
	switch e.Kind {
	case parley.LogDecisions:
		day, by := e.Day.Format("2006-01-02"), string(e.By)
		out.DecidedBy, out.Day, out.Action, out.Reason, out.Count = &by, &day, &e.Action, &e.Reason, &e.Count
	case parley.LogSanction:
		kind := string(e.SanctionKind)
		out.Sanction, out.ExpiresAt = &kind, e.ExpiresAt
	case parley.LogLevelPin:
		from := int(e.FromLevel)
		out.FromLevel, out.Unpinned = &from, &e.Unpinned
		if e.ToLevel != nil {
			to := int(*e.ToLevel)
			out.ToLevel = &to
		}
	}
	if r := e.Rule; r != nil {
		out.ProposalID, out.Rule, out.State, out.Summary = nonEmpty(r.ProposalID), nonEmpty(r.Rule), nonEmpty(r.State), nonEmpty(r.Summary)
		out.Version, out.VotesFor, out.VotesAgainst = &r.Version, &r.VotesFor, &r.VotesAgainst
	}
	return out
}

// logFirst is the page size asked for, 0 (the default) when none was.
func logFirst(first *int) int {
	if first == nil {
		return 0
	}
	if *first == 0 {
		return -1 // zero entries asked for: refused like any size out of range
	}
	return *first
}
