package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config holds every setting of `parley serve`. Each comes from its environment variable
// (or, for secrets, from a file named by NAME_FILE), and a flag of the same meaning
// overrides it; `parley serve --help` lists them from these tags, so the list cannot drift.
type Config struct {
	Addr           string `env:"PARLEY_ADDR" envDefault:":8080" flag:"addr" help:"listen address"`
	PublicURL      string `env:"PARLEY_PUBLIC_URL" envDefault:"http://localhost:8080" flag:"public-url" help:"URL readers reach this server at; its origin may call the API"`
	Environment    string `env:"PARLEY_ENV" envDefault:"development" flag:"env" help:"development or production (JSON logs, no introspection)"`
	DataDir        string `env:"PARLEY_DATA_DIR" envDefault:"./data" flag:"data-dir" help:"directory for local state"`
	DatabaseURL    string `env:"DATABASE_URL" flag:"database-url" help:"PostgreSQL URL (required; 'make run' starts a local one)" secret:"true"`
	RedisURL       string `env:"REDIS_URL" flag:"redis-url" help:"Redis for rate limits shared by all replicas (unset: in-process limits, one replica)" secret:"true"`
	NATSURL        string `env:"NATS_URL" flag:"nats-url" help:"NATS server or cluster with JetStream (unset: an embedded server, data under the data dir; one replica only)" secret:"true"`
	Instance       string `env:"PARLEY_INSTANCE" envDefault:"local" flag:"instance" help:"this instance's name in event subjects; the same on every replica"`
	NATSReplicas   int    `env:"PARLEY_NATS_REPLICAS" envDefault:"1" flag:"nats-replicas" help:"replicas of the event stream (3 on a NATS cluster)"`
	SecretKey      string `env:"PARLEY_SECRET_KEY" flag:"secret-key" help:"seals the federation private key and webhook secrets in the database (at least 16 characters; or PARLEY_SECRET_KEY_FILE); unset: stored in the clear" secret:"true"`
	FederationAddr string `env:"PARLEY_FEDERATION_ADDR" flag:"federation-addr" help:"host:port where peers' NATS servers connect (leaf nodes): the embedded server listens there; with NATS_URL, your NATS's leaf-node listener, configured with what parley peer nats-config prints (unset: no federation)"`
	NATSMonitorURL string `env:"PARLEY_NATS_MONITOR_URL" flag:"nats-monitor-url" help:"with NATS_URL and federation: your NATS server's monitoring endpoint (its http port, e.g. http://nats:8222), whose /leafz tells /readyz which peers' leaf connections are up (unset: not reported)"`
	LogLevel       string `env:"PARLEY_LOG_LEVEL" envDefault:"info" flag:"log-level" help:"debug, info, warn or error"`

	MaxBodyBytes                 int64         `env:"PARLEY_MAX_BODY_BYTES" envDefault:"1048576" flag:"max-body-bytes" help:"largest accepted request body"`
	TrustProxy                   bool          `env:"PARLEY_TRUST_PROXY" envDefault:"false" flag:"trust-proxy" help:"take client IPs from X-Forwarded-For (only behind a proxy)"`
	SessionTTL                   time.Duration `env:"PARLEY_SESSION_TTL" envDefault:"720h" flag:"session-ttl" help:"how long a sign-in lasts"`
	DeletionGrace                time.Duration `env:"PARLEY_DELETION_GRACE" envDefault:"336h" flag:"deletion-grace" help:"how long a deleted account waits before its data is erased; signing in meanwhile cancels the deletion"`
	SignUpsPerHour               int           `env:"PARLEY_SIGNUPS_PER_HOUR" envDefault:"10" flag:"signups-per-hour" help:"sign-ups allowed per client IP per hour"`
	GuestCommentsPerHour         int           `env:"PARLEY_GUEST_COMMENTS_PER_HOUR" envDefault:"10" flag:"guest-comments-per-hour" help:"guest comments allowed per client network per hour, on sites that take them"`
	SignInsPerMinute             int           `env:"PARLEY_SIGNINS_PER_MINUTE" envDefault:"20" flag:"signins-per-minute" help:"sign-in attempts allowed per client IP per minute"`
	IdentityCacheTTL             time.Duration `env:"PARLEY_IDENTITY_CACHE_TTL" envDefault:"5s" flag:"identity-cache-ttl" help:"how long a replica keeps a bearer token's owner; revocations reach every replica by event at once, and nothing is kept while the event stream is down (0: off)"`
	MemoryLimit                  int64         `env:"PARLEY_MEMORY_LIMIT" envDefault:"0" flag:"memory-limit" help:"soft limit in bytes on the Go runtime's memory (GOMEMLIMIT wins when set); 0: derived from the page cache and the password-hashing slots"`
	GroupCommit                  bool          `env:"PARLEY_GROUP_COMMIT" envDefault:"true" flag:"group-commit" help:"commit the new comments of concurrent writers together, one transaction and one disk flush for all, each answered once it is durable (false: one transaction each)"`
	DebugAddr                    string        `env:"PARLEY_DEBUG_ADDR" flag:"debug-addr" help:"host:port serving Go's profiles at /debug/pprof/, apart from the public listener (unset: off; keep it private)"`
	PageCacheBytes               int           `env:"PARLEY_PAGE_CACHE_BYTES" envDefault:"67108864" flag:"page-cache-bytes" help:"memory for answers to anonymous reads, forgotten when their story changes (0: off)"`
	HTTPCacheMaxAge              time.Duration `env:"PARLEY_HTTP_CACHE_MAX_AGE" envDefault:"5s" flag:"http-cache-max-age" help:"how long browsers and caches in front may keep anonymous persisted-query reads sent with GET (Cache-Control: public, with an ETag; served 6 times as long while they revalidate); everything else is private, no-store (0: off)"`
	PersistedQueriesOnly         bool          `env:"PARLEY_PERSISTED_QUERIES_ONLY" envDefault:"false" flag:"persisted-queries-only" help:"run only the queries the built frontend registered (its persisted-queries.json) and those of the allowlist; others are refused with FORBIDDEN"`
	PersistedQueriesAllowlist    string        `env:"PARLEY_PERSISTED_QUERIES_ALLOWLIST" flag:"persisted-queries-allowlist" help:"file of SHA-256 query hashes (one a line) that run besides the frontend's, with --persisted-queries-only"`
	MutationsPerMinute           int           `env:"PARLEY_MUTATIONS_PER_MINUTE" envDefault:"30" flag:"mutations-per-minute" help:"changes (each mutation field) one account may make per minute"`
	NewAccountMutationsPerMinute int           `env:"PARLEY_NEW_ACCOUNT_MUTATIONS_PER_MINUTE" envDefault:"10" flag:"new-account-mutations-per-minute" help:"changes an account at trust level 0 on every site may make per minute (besides the account quota)"`
	ClientMutationsPerMinute     int           `env:"PARLEY_CLIENT_MUTATIONS_PER_MINUTE" envDefault:"120" flag:"client-mutations-per-minute" help:"changes one client network (IPv4 address, IPv6 /64) may make per minute"`
	ClientNewStoriesPerHour      int           `env:"PARLEY_CLIENT_NEW_STORIES_PER_HOUR" envDefault:"60" flag:"client-new-stories-per-hour" help:"stories that reading story(url:) may create per client network per hour"`
	SiteNewStoriesPerHour        int           `env:"PARLEY_SITE_NEW_STORIES_PER_HOUR" envDefault:"600" flag:"site-new-stories-per-hour" help:"stories that reading story(url:) may create per site origin per hour"`
	ShutdownTimeout              time.Duration `env:"PARLEY_SHUTDOWN_TIMEOUT" envDefault:"15s" flag:"shutdown-timeout" help:"how long to let requests finish on SIGTERM"`
	DrainDelay                   time.Duration `env:"PARLEY_DRAIN_DELAY" envDefault:"0s" flag:"drain-delay" help:"on SIGTERM, how long /readyz answers 503 while requests are still served, before WebSockets close and the listener stops (a few health-check intervals behind a balancer)"`
	PluginsFile                  string        `env:"PARLEY_PLUGINS_FILE" flag:"plugins-file" help:"JSON list of moderation plug-ins sites may use: name, url, secret, budgetMs, failClosed"`
	BenchEndpoints               bool          `env:"PARLEY_BENCH_ENDPOINTS" envDefault:"false" flag:"bench-endpoints" help:"serve /_bench/static, the ceiling 'make bench' measures against"`
	WebhookAllowPrivate          string        `env:"PARLEY_WEBHOOK_ALLOW_PRIVATE" flag:"webhook-allow-private" help:"let webhooks reach private, loopback and link-local addresses: true or false (default: true in development, false in production)"`
	WebhookTimeout               time.Duration `env:"PARLEY_WEBHOOK_TIMEOUT" envDefault:"10s" flag:"webhook-timeout" help:"time limit of one webhook request"`
	Demo                         bool          `env:"PARLEY_DEMO" envDefault:"false" flag:"demo" help:"create a demo site for the public URL's origin"`

	SMTPURL     string `env:"PARLEY_SMTP_URL" flag:"smtp-url" help:"mail server: smtp://user:pass@host:587 (STARTTLS when offered; ?starttls=required or never) or smtps://host:465 (unset: no mail; development logs it instead)" secret:"true"`
	MailFrom    string `env:"PARLEY_MAIL_FROM" envDefault:"Parley <noreply@localhost>" flag:"mail-from" help:"From address of Parley's mail"`
	MailWorkers int    `env:"PARLEY_MAIL_WORKERS" envDefault:"2" flag:"mail-workers" help:"SMTP conversations this replica holds at once when draining the mail queue"`

	AdminEmail    string `env:"PARLEY_ADMIN_EMAIL" flag:"admin-email" help:"create this administrator at first start"`
	AdminUsername string `env:"PARLEY_ADMIN_USERNAME" envDefault:"admin" flag:"admin-username" help:"username of that administrator"`
	AdminPassword string `env:"PARLEY_ADMIN_PASSWORD" flag:"admin-password" help:"password of that administrator (or PARLEY_ADMIN_PASSWORD_FILE)" secret:"true"`
}

// Production reports whether the server runs in production mode.
func (c *Config) Production() bool { return c.Environment == "production" }

// WebhooksReachPrivate reports whether webhooks may reach private addresses: as set, or
// in development only.
func (c *Config) WebhooksReachPrivate() bool {
	if c.WebhookAllowPrivate == "" {
		return !c.Production()
	}
	return c.WebhookAllowPrivate == "true"
}

// loadConfig reads the environment through getenv, then the flags in args.
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	var cfg Config
	environ := map[string]string{}
	t := reflect.TypeOf(cfg)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := f.Tag.Get("env")
		if v := getenv(key); v != "" {
			environ[key] = v
		}
		if path := getenv(key + "_FILE"); path != "" && f.Tag.Get("secret") == "true" {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("%s_FILE: %w", key, err)
			}
			environ[key] = strings.TrimSpace(string(b))
		}
	}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ}); err != nil {
		return nil, err
	}

	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	v := reflect.ValueOf(&cfg).Elem()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		usage := fmt.Sprintf("%s (env %s)", f.Tag.Get("help"), f.Tag.Get("env"))
		switch p := v.Field(i).Addr().Interface().(type) {
		case *string:
			fs.StringVar(p, f.Tag.Get("flag"), *p, usage)
		case *bool:
			fs.BoolVar(p, f.Tag.Get("flag"), *p, usage)
		case *int:
			fs.IntVar(p, f.Tag.Get("flag"), *p, usage)
		case *int64:
			fs.Int64Var(p, f.Tag.Get("flag"), *p, usage)
		case *time.Duration:
			fs.DurationVar(p, f.Tag.Get("flag"), *p, usage)
		default:
			panic("config: unsupported field type " + f.Type.String())
		}
	}
	fs.Usage = func() { printSettings(stderr, name, t) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return &cfg, cfg.validate()
}

func (c *Config) validate() error {
	switch {
	case c.Environment != "development" && c.Environment != "production":
		return fmt.Errorf("PARLEY_ENV must be development or production, not %q", c.Environment)
	case c.DatabaseURL == "":
		return fmt.Errorf("DATABASE_URL is not set: point it at PostgreSQL (postgres://user@host:5432/db), or use 'make run', which starts one")
	case c.MaxBodyBytes < 1024:
		return fmt.Errorf("PARLEY_MAX_BODY_BYTES must be at least 1024")
	case c.GuestCommentsPerHour < 1:
		return fmt.Errorf("PARLEY_GUEST_COMMENTS_PER_HOUR must be at least 1")
	case c.SignUpsPerHour < 1:
		return fmt.Errorf("PARLEY_SIGNUPS_PER_HOUR must be at least 1")
	case c.NATSReplicas < 1 || c.NATSReplicas > 5:
		return fmt.Errorf("PARLEY_NATS_REPLICAS must be 1 to 5")
	case c.MutationsPerMinute < 1 || c.ClientMutationsPerMinute < 1 || c.NewAccountMutationsPerMinute < 1:
		return fmt.Errorf("PARLEY_MUTATIONS_PER_MINUTE, PARLEY_CLIENT_MUTATIONS_PER_MINUTE and PARLEY_NEW_ACCOUNT_MUTATIONS_PER_MINUTE must be at least 1")
	case c.DrainDelay < 0 || c.ShutdownTimeout <= 0:
		return fmt.Errorf("PARLEY_DRAIN_DELAY must not be negative and PARLEY_SHUTDOWN_TIMEOUT must be positive")
	case c.MailWorkers < 1:
		return fmt.Errorf("PARLEY_MAIL_WORKERS must be at least 1")
	case c.SignInsPerMinute < 1:
		return fmt.Errorf("PARLEY_SIGNINS_PER_MINUTE must be at least 1")
	case c.WebhookAllowPrivate != "" && c.WebhookAllowPrivate != "true" && c.WebhookAllowPrivate != "false":
		return fmt.Errorf("PARLEY_WEBHOOK_ALLOW_PRIVATE must be true or false, not %q", c.WebhookAllowPrivate)
	case c.WebhookTimeout < time.Second || c.WebhookTimeout > time.Minute:
		return fmt.Errorf("PARLEY_WEBHOOK_TIMEOUT must be between 1s and 1m")
	case c.ClientNewStoriesPerHour < 1 || c.SiteNewStoriesPerHour < 1:
		return fmt.Errorf("PARLEY_CLIENT_NEW_STORIES_PER_HOUR and PARLEY_SITE_NEW_STORIES_PER_HOUR must be at least 1")
	}
	return nil
}

// printSettings lists every setting with its flag, variable and default.
func printSettings(w io.Writer, name string, t reflect.Type) {
	fmt.Fprintf(w, "Usage: parley %s [flags]\n\nEvery setting comes from its environment variable; a flag overrides it.\nSecrets may also be read from a file named by VARIABLE_FILE.\n\n", name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FLAG\tVARIABLE\tDEFAULT\tMEANING")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		def := f.Tag.Get("envDefault")
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "--%s\t%s\t%s\t%s\n", f.Tag.Get("flag"), f.Tag.Get("env"), def, f.Tag.Get("help"))
	}
	tw.Flush()
}

// memoryLimit is the soft limit given to the Go runtime: as set, or else room for the page
// cache, one argon2 hash per core (auth hashes at most GOMAXPROCS passwords at once, 64 MiB
// each) and 64 MiB for everything else. Past it the collector runs more often rather than
// letting a burst double the heap; it is soft, so a replica that needs more still gets it.
func (c *Config) memoryLimit() int64 {
	if c.MemoryLimit != 0 {
		return c.MemoryLimit
	}
	const hash, rest = 64 << 20, 64 << 20
	return int64(c.PageCacheBytes) + int64(runtime.GOMAXPROCS(0))*hash + rest
}
