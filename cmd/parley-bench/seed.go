package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// seeded is what the load runs need: a story with a full first page, a second story for
// writes, and signed-in users.
type seeded struct {
	base       string
	storyID    string
	hotStoryID string
	tokens     []string
	comments   int
}

// gql posts one GraphQL operation and decodes data into out; any GraphQL error fails.
func gql(base, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var answer struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("%s: %s", res.Status, raw)
	}
	if len(answer.Errors) > 0 {
		return fmt.Errorf("graphql: %s", answer.Errors[0].Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer.Data, out)
}

// commentBody is a realistic comment of about 300 characters.
const commentBody = `I read the whole piece twice and I think the **main point** stands, even if the numbers
in the third paragraph deserve a closer look. The council has promised the same thing for years;
see [the earlier report](https://news.example.org/earlier) for how that went. Still, credit where due.`

// seedStory builds the data every run reads or writes, through the API as a reader would.
func seedStory(ctx context.Context, base string, users int) (*seeded, error) {
	var signIn struct{ SignIn struct{ Token string } }
	if err := gql(base, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"login": "benchadmin", "password": adminPassword}}, &signIn); err != nil {
		return nil, err
	}
	admin := signIn.SignIn.Token
	if err := gql(base, admin, `mutation { createSite(input: {name: "Bench", allowedOrigins: ["https://bench.example.org"]}) { id } }`, nil, nil); err != nil {
		return nil, err
	}
	s := &seeded{base: base}
	for i, url := range []string{"https://bench.example.org/read", "https://bench.example.org/write"} {
		var story struct{ Story struct{ ID string } }
		if err := gql(base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": url}, &story); err != nil {
			return nil, err
		}
		if i == 0 {
			s.storyID = story.Story.ID
		} else {
			s.hotStoryID = story.Story.ID
		}
	}
	for i := 0; i < users; i++ {
		var up struct{ SignUp struct{ Token string } }
		if err := gql(base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, map[string]any{"i": map[string]any{
			"email": fmt.Sprintf("reader%d@bench.example.org", i), "username": fmt.Sprintf("reader%d", i), "password": "bench reader password"}}, &up); err != nil {
			return nil, err
		}
		s.tokens = append(s.tokens, up.SignUp.Token)
	}
	kinds := []string{"respect", "insightful", "funny", "sad"}
	for i := 0; i < 100; i++ {
		var created struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		if err := gql(base, s.tokens[i%len(s.tokens)], `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": s.storyID, "body": fmt.Sprintf("%s (%d)", commentBody, i)}}, &created); err != nil {
			return nil, err
		}
		// Comments get 0 to 5 reactions from other readers, as on a lively story.
		for r := 0; r < i%6; r++ {
			reader := s.tokens[(i+1+r)%len(s.tokens)]
			if err := gql(base, reader, `mutation($i: ReactionInput!) { addReaction(input: $i) { comment { id } } }`,
				map[string]any{"i": map[string]any{"commentID": created.CreateComment.Comment.ID, "kind": kinds[r%len(kinds)]}}, nil); err != nil {
				return nil, err
			}
		}
	}
	s.comments = 100
	return s, nil
}

// pageQuery is what the widget asks for when it opens a story: the first 100 comments with
// their authors and reaction counts.
const pageQuery = `query Page($id: ID!) { story(id: $id) { id title closed commentCount
  comments(first: 100, orderBy: NEWEST) { edges { cursor node { id body createdAt editedAt status depth replyCount
    author { id username } reactions { kind count viewerReacted } } } pageInfo { hasNextPage endCursor } } } }`

func (s *seeded) pageRequest() (string, error) {
	b, err := json.Marshal(map[string]any{"query": pageQuery, "variables": map[string]any{"id": s.storyID}})
	return string(b), err
}

// checkPage reads the page once, checks it is whole, and returns its size.
func checkPage(base, body string) (int, error) {
	res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	var page struct {
		Data struct {
			Story struct {
				Comments struct {
					Edges []struct {
						Node struct{ Author *struct{ Username string } }
					}
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(raw, &page); err != nil || len(page.Errors) > 0 || len(page.Data.Story.Comments.Edges) != 100 {
		return 0, fmt.Errorf("page read is not a full page (%v): %.300s", err, raw)
	}
	return len(raw), nil
}
