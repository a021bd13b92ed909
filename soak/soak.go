package soak

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Config describes a soak's workload.
type Config struct {
	// URLs are where requests go, in turn: a balancer, or the replicas themselves.
	URLs []string
	// AdminLogin and AdminPassword sign in the administrator who creates the soak's site.
	AdminLogin, AdminPassword string
	// Stories, Writers, Subscribers size the workload; WriteRate and ReadRate are the
	// requests per second of all writers and all readers together. Readers is how many
	// readers share ReadRate.
	Stories, Writers, Readers, Subscribers int
	WriteRate, ReadRate                    float64
	// Stored returns the comments stored for the given stories (ID to story ID and
	// whether the comment is published), read from the database itself.
	Stored func(ctx context.Context, storyIDs []string) (map[string]StoredComment, error)
	// Logf receives progress; nil is silent.
	Logf func(format string, args ...any)
}

// StoredComment is what the checker needs to know of a stored comment.
type StoredComment struct {
	StoryID   string
	Published bool
	CreatedAt time.Time
}

// Run is a soak in progress.
type Run struct {
	cfg     Config
	c       *client
	tag     string
	stories []string
	writers []string // tokens

	cancel      context.CancelFunc
	stopWriting context.CancelFunc
	wg, writing sync.WaitGroup
	subs        []*subscriber

	mu       sync.Mutex
	told     map[string]string // comment ID -> story ID, of creations the API confirmed
	tagged   map[string]bool   // bodies that were sent more than once after an unknown outcome
	unknowns int               // creations whose outcome no client learned
	stopped  time.Time

	Reads, ReadFailures, ReadRetries    atomic.Int64
	Writes, WriteFailures, WriteRetries atomic.Int64
}

// Setup creates the soak's site, stories and writer accounts through the API.
func Setup(ctx context.Context, cfg Config) (*Run, error) {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	r := &Run{cfg: cfg, c: newClient(cfg.URLs), tag: fmt.Sprintf("soak%d", time.Now().UnixNano()%1e9),
		told: map[string]string{}, tagged: map[string]bool{}}
	var signIn struct{ SignIn struct{ Token string } }
	if err := r.retry(ctx, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"login": cfg.AdminLogin, "password": cfg.AdminPassword}}, &signIn); err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	origin := "https://" + r.tag + ".example"
	if err := r.retry(ctx, signIn.SignIn.Token, `mutation($i: CreateSiteInput!) { createSite(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"name": r.tag, "allowedOrigins": []string{origin}}}, nil); err != nil {
		return nil, fmt.Errorf("create site: %w", err)
	}
	for i := range cfg.Stories {
		var s struct{ Story struct{ ID string } }
		if err := r.retry(ctx, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": fmt.Sprintf("%s/story-%d", origin, i)}, &s); err != nil {
			return nil, fmt.Errorf("story: %w", err)
		}
		r.stories = append(r.stories, s.Story.ID)
	}
	for i := range cfg.Writers {
		var up struct{ SignUp struct{ Token string } }
		in := map[string]any{"email": fmt.Sprintf("w%d@%s.example", i, r.tag), "username": fmt.Sprintf("%sw%d", r.tag, i), "password": "a soak writer's password"}
		if err := r.retry(ctx, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`, map[string]any{"i": in}, &up); err != nil {
			return nil, fmt.Errorf("sign up: %w", err)
		}
		r.writers = append(r.writers, up.SignUp.Token)
	}
	return r, nil
}

// retry sends a request that is safe to repeat, a few times.
func (r *Run) retry(ctx context.Context, token, query string, vars map[string]any, out any) error {
	var err error
	for range 5 {
		var o outcome
		if o, err = r.c.do(ctx, token, query, vars, out); o == succeeded {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

// Start runs the writers, readers and subscribers until Stop. It returns once every
// subscriber has received a first event, so that what follows is measured live.
func (r *Run) Start(ctx context.Context) error {
	ctx, r.cancel = context.WithCancel(ctx)
	for i := range r.cfg.Subscribers {
		s := &subscriber{run: r, story: r.stories[i%len(r.stories)], live: map[string]int{}, caught: map[string]bool{}, ready: make(chan struct{})}
		r.subs = append(r.subs, s)
		r.wg.Go(func() { s.loop(ctx) })
	}
	wctx, stopWriting := context.WithCancel(ctx)
	r.stopWriting = stopWriting
	if r.cfg.Writers > 0 {
		every := time.Duration(float64(time.Second) * float64(r.cfg.Writers) / r.cfg.WriteRate)
		for i := range r.cfg.Writers {
			r.writing.Go(func() { r.write(ctx, wctx, i, every) })
		}
	}
	if r.cfg.Readers > 0 && r.cfg.ReadRate > 0 {
		every := time.Duration(float64(time.Second) * float64(r.cfg.Readers) / r.cfg.ReadRate)
		for range r.cfg.Readers {
			r.wg.Go(func() { r.readLoop(ctx, r.c, every) })
		}
	}
	for _, s := range r.subs {
		select {
		case <-s.ready:
		case <-time.After(60 * time.Second):
			return errors.New("a subscriber received no event within a minute")
		}
	}
	return nil
}

// write posts comments every interval, each with a body no other has, until stop ends.
// Requests run in ctx, not stop: a request cut short would leave a comment that may be
// stored without the writer knowing.
func (r *Run) write(ctx, stop context.Context, i int, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	time.Sleep(time.Duration(rand.Int64N(int64(every))))
	for n := 0; ; n++ {
		select {
		case <-stop.Done():
			return
		case <-t.C:
		}
		story := r.stories[(i+n)%len(r.stories)]
		body := fmt.Sprintf("%s writer %d comment %d says %x", r.tag, i, n, rand.Uint32())
		var out struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		q := `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`
		vars := map[string]any{"i": map[string]any{"storyID": story, "body": body}}
		r.Writes.Add(1)
		o, err := r.c.do(ctx, r.writers[i], q, vars, &out)
		if o == notSent || o == unknown {
			// One client retry: a request that reached no replica cannot be done twice; one
			// whose outcome is unknown might, which the checker tells apart by its body.
			if o == unknown {
				r.mu.Lock()
				r.tagged[body] = true
				r.mu.Unlock()
			}
			r.WriteRetries.Add(1)
			time.Sleep(100 * time.Millisecond)
			o, err = r.c.do(ctx, r.writers[i], q, vars, &out)
		}
		if ctx.Err() != nil {
			return
		}
		if o != succeeded {
			r.WriteFailures.Add(1)
			r.mu.Lock()
			if o == unknown {
				r.unknowns++
			}
			r.mu.Unlock()
			r.cfg.Logf("write failed after a retry: %v", err)
			continue
		}
		r.mu.Lock()
		r.told[out.CreateComment.Comment.ID] = story
		r.mu.Unlock()
	}
}

// readQuery is a story page as the widget reads it, anonymously.
const readQuery = `query($id: ID!) { story(id: $id) { comments(first: 20) { edges { node { id body author { username } } } } } }`

// readLoop reads story pages every interval, retrying a failed read once.
func (r *Run) readLoop(ctx context.Context, c *client, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for n := rand.IntN(len(r.stories)); ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		vars := map[string]any{"id": r.stories[n%len(r.stories)]}
		r.Reads.Add(1)
		if o, _ := c.do(ctx, "", readQuery, vars, nil); o != succeeded {
			r.ReadRetries.Add(1)
			if o, err := c.do(ctx, "", readQuery, vars, nil); o != succeeded && ctx.Err() == nil {
				r.ReadFailures.Add(1)
				r.cfg.Logf("read failed after a retry: %v", err)
			}
		}
	}
}

// Capacity reads story pages as fast as workers goroutines can for d against urls, and
// returns the reads per second that succeeded. Anonymous reads may come from the page
// cache; signedIn reads (as the first writer) are always resolved from the database.
func (r *Run) Capacity(ctx context.Context, urls []string, workers int, d time.Duration, signedIn bool) float64 {
	token := ""
	if signedIn && len(r.writers) > 0 {
		token = r.writers[0]
	}
	c := newClient(urls)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ok atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for n := w; ctx.Err() == nil; n++ {
				if o, _ := c.do(ctx, token, readQuery, map[string]any{"id": r.stories[n%len(r.stories)]}, nil); o == succeeded {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(ok.Load()) / time.Since(start).Seconds()
}

// StopWriters ends the writes and waits for those in flight, so that what follows can
// wait for delivery.
func (r *Run) StopWriters() {
	r.stopWriting()
	r.writing.Wait()
	r.mu.Lock()
	r.stopped = time.Now()
	r.mu.Unlock()
}

// Stop ends the readers and subscribers.
func (r *Run) Stop() {
	r.cancel()
	r.wg.Wait()
}
