package markup

import "strings"

// FollowedLinkRel is the rel attribute of links written by authors a site trusts (trust level
// 3 and up): ugc still says the link is user-generated, but without nofollow search engines
// may credit it, which is the reward trusted regulars earn. noopener stays for the reader's
// sake.
const FollowedLinkRel = "ugc noopener"

const followedTail = `" rel="` + FollowedLinkRel + `" target="` + LinkTarget + `">`

// FollowLinks takes nofollow off every link of a body that Render or Sanitize made. The
// sanitiser escapes every quote inside text and attribute values, so the byte sequence it
// replaces can only be the attribute it wrote, never content; other HTML is returned as it is.
func FollowLinks(body string) string {
	if !strings.Contains(body, linkTail) {
		return body
	}
	return strings.ReplaceAll(body, linkTail, followedTail)
}
