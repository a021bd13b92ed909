package graph

import (
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/parleyhq/parley"
)

// The writers below write what the executor's marshalers write, in the order and with the
// escaping they use; a value the executor would answer with an error (a non-null field
// without a value) sets fail, and the executor answers instead.

func (r *directRun) writeStory(f graphql.CollectedField, st *parley.Story) {
	r.buf = append(r.buf, '{')
	for i, sf := range r.sub(f, storyImplementors) {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.key(sf.Alias)
		switch sf.Name {
		case "__typename":
			r.str("Story")
		case "id":
			r.str(st.ID)
		case "url":
			r.str(st.URL)
		case "title":
			r.str(st.Title)
		case "closed":
			r.bool(st.Closed)
		case "commentCount":
			r.int(st.CommentCount)
		case "createdAt":
			r.time(st.CreatedAt, true)
		case "comments":
			r.writeConnection(sf, r.pages[pageKey{sf.Field, st.ID}])
		default:
			r.fail = true
		}
	}
	r.buf = append(r.buf, '}')
}

func (r *directRun) writeConnection(f graphql.CollectedField, p *directPage) {
	if p == nil {
		r.fail = true
		return
	}
	comments := p.page.Comments
	r.buf = append(r.buf, '{')
	for i, cf := range r.sub(f, commentConnectionImplementors) {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.key(cf.Alias)
		switch cf.Name {
		case "__typename":
			r.str("CommentConnection")
		case "edges":
			edge := r.sub(cf, commentEdgeImplementors)
			r.buf = append(r.buf, '[')
			for j, c := range comments {
				if j > 0 {
					r.buf = append(r.buf, ',')
				}
				r.writeEdge(edge, p.order, c)
			}
			r.buf = append(r.buf, ']')
		case "pageInfo":
			r.buf = append(r.buf, '{')
			for j, pf := range r.sub(cf, pageInfoImplementors) {
				if j > 0 {
					r.buf = append(r.buf, ',')
				}
				r.key(pf.Alias)
				switch pf.Name {
				case "__typename":
					r.str("PageInfo")
				case "hasNextPage":
					r.bool(p.page.HasNextPage)
				case "endCursor":
					if len(comments) == 0 {
						r.buf = append(r.buf, "null"...)
					} else {
						r.cursor(p.order, comments[len(comments)-1])
					}
				default:
					r.fail = true
				}
			}
			r.buf = append(r.buf, '}')
		default:
			r.fail = true
		}
	}
	r.buf = append(r.buf, '}')
}

func (r *directRun) writeEdge(fields []graphql.CollectedField, order parley.CommentOrder, c *parley.Comment) {
	r.buf = append(r.buf, '{')
	for i, f := range fields {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.key(f.Alias)
		switch f.Name {
		case "__typename":
			r.str("CommentEdge")
		case "cursor":
			r.cursor(order, c)
		case "node":
			r.writeComment(r.sub(f, commentImplementors), c)
		default:
			r.fail = true
		}
	}
	r.buf = append(r.buf, '}')
}

func (r *directRun) writeComment(fields []graphql.CollectedField, c *parley.Comment) {
	r.buf = append(r.buf, '{')
	for i, f := range fields {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.key(f.Alias)
		switch f.Name {
		case "__typename":
			r.str("Comment")
		case "id":
			r.str(c.ID)
		case "body":
			r.str(c.Body)
		case "bodySource":
			r.str(c.BodySource)
		case "status":
			r.str(string(c.Status))
		case "depth":
			r.int(c.Depth)
		case "replyCount":
			r.int(c.ReplyCount)
		case "featured":
			r.bool(c.Featured)
		case "version":
			r.int(c.Version)
		case "createdAt":
			r.time(c.CreatedAt, true)
		case "editedAt":
			if c.EditedAt == nil {
				r.buf = append(r.buf, "null"...)
			} else {
				r.time(*c.EditedAt, false)
			}
		case "author":
			if u := r.users[c.AuthorID]; c.AuthorID != "" && u != nil {
				r.writeUser(r.sub(f, userImplementors), u)
			} else {
				r.buf = append(r.buf, "null"...)
			}
		case "parent":
			p := r.paged[c.ParentID]
			if p == nil {
				p = r.parents[c.ParentID]
			}
			if c.ParentID == "" || p == nil {
				r.buf = append(r.buf, "null"...)
			} else {
				r.writeComment(r.sub(f, commentImplementors), p)
			}
		case "reactions":
			r.writeReactions(r.sub(f, reactionCountImplementors), r.reactions[c.ID])
		case "rejectionReason":
			if reason := r.rejections[c.ID]; c.Status == parley.StatusRejected && reason != "" {
				r.str(string(reason))
			} else {
				r.buf = append(r.buf, "null"...)
			}
		case "replies":
			r.writeConnection(f, r.pages[pageKey{f.Field, c.ID}])
		default:
			r.fail = true
		}
	}
	r.buf = append(r.buf, '}')
}

func (r *directRun) writeUser(fields []graphql.CollectedField, u *parley.User) {
	r.buf = append(r.buf, '{')
	for i, f := range fields {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.key(f.Alias)
		switch f.Name {
		case "__typename":
			r.str("User")
		case "id":
			r.str(u.ID)
		case "username":
			r.str(u.Username)
		case "guest":
			r.bool(u.Guest)
		case "admin":
			r.bool(u.Admin)
		case "role":
			site, _ := r.argsOf(f)["siteID"].(string)
			role, ok := r.roles[parley.SiteUser{SiteID: site, UserID: u.ID}]
			if !ok {
				r.fail = true // NOT_FOUND, which the executor reports
			}
			r.str(string(role))
		default:
			r.fail = true
		}
	}
	r.buf = append(r.buf, '}')
}

func (r *directRun) writeReactions(fields []graphql.CollectedField, counts []parley.ReactionCount) {
	r.buf = append(r.buf, '[')
	for j := range counts {
		if j > 0 {
			r.buf = append(r.buf, ',')
		}
		rc := &counts[j]
		r.buf = append(r.buf, '{')
		for i, f := range fields {
			if i > 0 {
				r.buf = append(r.buf, ',')
			}
			r.key(f.Alias)
			switch f.Name {
			case "__typename":
				r.str("ReactionCount")
			case "kind":
				r.str(rc.Kind)
			case "count":
				r.int(rc.Count)
			case "viewerReacted":
				r.bool(rc.ViewerReacted)
			default:
				r.fail = true
			}
		}
		r.buf = append(r.buf, '}')
	}
	r.buf = append(r.buf, ']')
}

func (r *directRun) key(k string) {
	r.str(k)
	r.buf = append(r.buf, ':')
}

// cursor writes c's cursor in order; the base64 of a cursor needs no escaping.
func (r *directRun) cursor(order parley.CommentOrder, c *parley.Comment) {
	r.buf = append(r.buf, '"')
	r.buf = parley.CursorFor(order, c).AppendEncode(r.buf)
	r.buf = append(r.buf, '"')
}

func (r *directRun) int(n int) { r.buf = strconv.AppendInt(r.buf, int64(n), 10) }

func (r *directRun) bool(b bool) { r.buf = strconv.AppendBool(r.buf, b) }

// time writes t as graphql.MarshalTime does; a zero time is null, which a non-null field
// cannot answer.
func (r *directRun) time(t time.Time, nonNull bool) {
	if t.IsZero() {
		r.fail = r.fail || nonNull
		r.buf = append(r.buf, "null"...)
		return
	}
	r.buf = append(r.buf, '"')
	r.buf = t.AppendFormat(r.buf, time.RFC3339Nano)
	r.buf = append(r.buf, '"')
}

// mayEscape marks the bytes str looks at twice: those it escapes, and the first byte of
// U+2028 and U+2029.
var mayEscape = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0xE2} {
		t[c] = true
	}
	return t
}()

// str writes s quoted as the executor's answer reaches the client: escaped by
// graphql.MarshalString (control characters, the backslash, the double quote) and then by
// the transport's encoding/json, which escapes <, >, & and U+2028, U+2029. Writing the final
// form here lets the HTTP answer be written once (see directWriter).
func (r *directRun) str(s string) {
	const hex = "0123456789abcdef"
	r.buf = append(r.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !mayEscape[c] {
			continue
		}
		var esc string
		switch {
		case c == '\t':
			esc = `\t`
		case c == '\r':
			esc = `\r`
		case c == '\n':
			esc = `\n`
		case c == '\\':
			esc = `\\`
		case c == '"':
			esc = `\"`
		case c < 0x20:
			// MarshalString's \u00XX in upper case, as encoding/json leaves it.
			const upper = "0123456789ABCDEF"
			r.buf = append(r.buf, s[start:i]...)
			r.buf = append(r.buf, '\\', 'u', '0', '0', upper[c>>4], upper[c&0xf])
			start = i + 1
			continue
		case c == '<' || c == '>' || c == '&':
			r.buf = append(r.buf, s[start:i]...)
			r.buf = append(r.buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			start = i + 1
			continue
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8:
			r.buf = append(r.buf, s[start:i]...)
			r.buf = append(r.buf, `\u202`...)
			r.buf = append(r.buf, hex[s[i+2]&0xF])
			i += 2
			start = i + 1
			continue
		default:
			continue
		}
		r.buf = append(r.buf, s[start:i]...)
		r.buf = append(r.buf, esc...)
		start = i + 1
	}
	r.buf = append(r.buf, s[start:]...)
	r.buf = append(r.buf, '"')
}
