package parley

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Site is a publication or community: its stories, settings and moderators.
type Site struct {
	ID   string
	Name string
	// AllowedOrigins are the scheme://host[:port] origins whose pages may embed the site's
	// discussions; a story URL must match one of them.
	AllowedOrigins []string
	Settings       SiteSettings
	// SSOConfigured tells whether the site has a single sign-on secret; the secret itself never
	// leaves storage except to verify a token.
	SSOConfigured bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ReactionKind is a reaction readers may give on a site, such as "respect" or an emoji.
type ReactionKind struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Icon  string `json:"icon"`
}

// SiteSettings are the rules a site chooses for its discussions.
type SiteSettings struct {
	MinCommentLength  int            `json:"minCommentLength"`
	MaxCommentLength  int            `json:"maxCommentLength"`
	EditWindowSeconds int            `json:"editWindowSeconds"`
	MaxDepth          int            `json:"maxDepth"`
	ReactionKinds     []ReactionKind `json:"reactionKinds"`
	// CommentingDisabled closes every story of the site to new comments, with
	// ClosedMessage (if any) as the reason readers are shown.
	CommentingDisabled bool   `json:"commentingDisabled"`
	ClosedMessage      string `json:"closedMessage,omitempty"`
	// PremodAll holds every comment for a moderator.
	PremodAll bool `json:"premodAll"`
	// PremodLinks holds comments that contain links.
	PremodLinks bool `json:"premodLinks"`
	// RequireVerifiedEmail holds an author's first comment until their email address is
	// verified through the mailed link, so a throwaway address cannot post at once.
	RequireVerifiedEmail bool `json:"requireVerifiedEmail,omitempty"`
	// PremodNewCommenters holds the comments of authors with fewer published comments than
	// this on the site; 0 turns it off.
	PremodNewCommenters int `json:"premodNewCommenters"`
	// HoldRejectionRate holds the comments of authors of whose recent decided comments at
	// least this share was rejected (0 to 1; 0 turns it off).
	HoldRejectionRate float64 `json:"holdRejectionRate"`
	// ReportHoldThreshold holds a published comment for review once this many readers
	// reported it; 0 turns it off.
	ReportHoldThreshold int `json:"reportHoldThreshold"`
	// HoldSuspectWords holds comments with a term of the site's SUSPECT list; otherwise they
	// are only flagged.
	HoldSuspectWords bool `json:"holdSuspectWords"`
	// WordListVersions names the current version of each of the site's word lists, so the
	// pipeline knows without a query whether its compiled lists are current. Saving a list
	// sets it; settings updates keep it.
	WordListVersions map[WordListKind]string `json:"wordListVersions,omitempty"`
	// Stages configures the moderation pipeline: which stages run, in what order, and how.
	// Empty means the built-in order with every built-in stage.
	Stages []StageSetting `json:"stages,omitempty"`
	// Trust holds the site's trust-level thresholds; nil means DefaultTrustSettings.
	Trust *TrustSettings `json:"trust,omitempty"`
	// TrustEffects says what trust levels allow on the site.
	TrustEffects TrustEffectSettings `json:"trustEffects,omitempty"`
	// PublicLog says whom the public moderation log names.
	PublicLog PublicLogSettings `json:"publicLog,omitempty"`
	// Rules holds the site's governance of community rules; nil means DefaultRuleSettings.
	Rules *RuleSettings `json:"rules,omitempty"`
	// ShowRevisions lets every reader of a comment read its earlier bodies; otherwise only
	// its author and the site's moderators do. Off by default: an author who corrected a slip
	// may not expect the slip to stay public.
	ShowRevisions bool `json:"showRevisions"`
	// AutoCloseAfterDays closes each story to new comments this many days after it began, or
	// after a moderator last reopened it; 0 keeps stories open.
	AutoCloseAfterDays int `json:"autoCloseAfterDays"`
	// GuestComments takes comments from readers without an account (a name, and an email if
	// they like), always held for review. Off by default.
	GuestComments bool `json:"guestComments"`
}

// StageSetting is one stage of a site's pipeline.
type StageSetting struct {
	Stage string `json:"stage"`
	// Shadow records the stage's verdicts without effect.
	Shadow bool `json:"shadow"`
	// FailClosed holds comments when the stage fails or times out, instead of passing them.
	FailClosed bool `json:"failClosed"`
	// BudgetMs bounds the stage's time; 0 keeps the stage's own default.
	BudgetMs int `json:"budgetMs"`
}

// Bounds on a site's pipeline.
const (
	MaxStages        = 32
	MaxStageBudgetMs = 10000
)

func validateStages(stages []StageSetting) error {
	if len(stages) > MaxStages {
		return FieldErrorf("stages", "A pipeline has at most %d stages.", MaxStages)
	}
	seen := map[string]bool{}
	for _, st := range stages {
		name := strings.TrimPrefix(st.Stage, "plugin:")
		if !isSlug(strings.ReplaceAll(name, "_", "-"), 64) {
			return FieldErrorf("stages", "Stage %q is not a stage name.", st.Stage)
		}
		if seen[st.Stage] {
			return FieldErrorf("stages", "Stage %q is listed twice.", st.Stage)
		}
		seen[st.Stage] = true
		if st.BudgetMs < 0 || st.BudgetMs > MaxStageBudgetMs {
			return FieldErrorf("stages", "Stage %q: the budget is 0 to %d ms.", st.Stage, MaxStageBudgetMs)
		}
	}
	return nil
}

// EditWindow is how long after posting an author may edit a comment.
func (s SiteSettings) EditWindow() time.Duration {
	return time.Duration(s.EditWindowSeconds) * time.Second
}

// HasReactionKind reports whether kind is one of the site's reaction kinds.
func (s SiteSettings) HasReactionKind(kind string) bool {
	for _, k := range s.ReactionKinds {
		if k.Kind == kind {
			return true
		}
	}
	return false
}

// Bounds on site settings, so a typo cannot make a site unusable.
const (
	MaxCommentLengthLimit = 20000
	MaxDepthLimit         = 10
	MaxEditWindowSeconds  = 7 * 24 * 3600
	MaxReactionKinds      = 8
)

// DefaultSiteSettings are what a new site starts with.
func DefaultSiteSettings() SiteSettings {
	return SiteSettings{
		MinCommentLength:  1,
		MaxCommentLength:  5000,
		EditWindowSeconds: 15 * 60,
		MaxDepth:          4,
		ReactionKinds: []ReactionKind{
			{Kind: "respect", Label: "Respect", Icon: "👍"},
			{Kind: "insightful", Label: "Insightful", Icon: "💡"},
			{Kind: "funny", Label: "Funny", Icon: "😄"},
			{Kind: "sad", Label: "Sad", Icon: "😢"},
		},
	}
}

// Validate checks settings as a whole.
func (s SiteSettings) Validate() error {
	switch {
	case s.MinCommentLength < 1:
		return FieldErrorf("minCommentLength", "Minimum comment length must be at least 1.")
	case s.MaxCommentLength < s.MinCommentLength || s.MaxCommentLength > MaxCommentLengthLimit:
		return FieldErrorf("maxCommentLength", "Maximum comment length must be between the minimum and %d.", MaxCommentLengthLimit)
	case s.EditWindowSeconds < 0 || s.EditWindowSeconds > MaxEditWindowSeconds:
		return FieldErrorf("editWindowSeconds", "Edit window must be between 0 and %d seconds.", MaxEditWindowSeconds)
	case s.MaxDepth < 1 || s.MaxDepth > MaxDepthLimit:
		return FieldErrorf("maxDepth", "Maximum reply depth must be between 1 and %d.", MaxDepthLimit)
	case !utf8.ValidString(s.ClosedMessage) || utf8.RuneCountInString(s.ClosedMessage) > 500:
		return FieldErrorf("closedMessage", "The closed message must be text of at most 500 characters.")
	case s.PremodNewCommenters < 0 || s.PremodNewCommenters > 1000:
		return FieldErrorf("premodNewCommenters", "Pre-moderation of new commenters takes 0 (off) to 1000 published comments.")
	case s.HoldRejectionRate < 0 || s.HoldRejectionRate > 1:
		return FieldErrorf("holdRejectionRate", "The rejection rate that holds comments is a share from 0 (off) to 1.")
	case s.ReportHoldThreshold < 0 || s.ReportHoldThreshold > 1000:
		return FieldErrorf("reportHoldThreshold", "The report threshold is 0 (off) to 1000 reports.")
	case s.AutoCloseAfterDays < 0 || s.AutoCloseAfterDays > MaxAutoCloseAfterDays:
		return FieldErrorf("autoCloseAfterDays", "Stories close by themselves after 1 to %d days, or never (0).", MaxAutoCloseAfterDays)
	case len(s.ReactionKinds) == 0 || len(s.ReactionKinds) > MaxReactionKinds:
		return FieldErrorf("reactionKinds", "A site needs 1 to %d reaction kinds.", MaxReactionKinds)
	}
	if err := validateStages(s.Stages); err != nil {
		return err
	}
	if err := s.TrustEffects.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, k := range s.ReactionKinds {
		if !isSlug(k.Kind, 32) {
			return FieldErrorf("reactionKinds", "Reaction kind %q must be 1 to 32 lowercase letters, digits or '-'.", k.Kind)
		}
		if seen[k.Kind] {
			return FieldErrorf("reactionKinds", "Reaction kind %q is listed twice.", k.Kind)
		}
		seen[k.Kind] = true
		if !utf8.ValidString(k.Label) || VisibleLength(k.Label) == 0 || utf8.RuneCountInString(k.Label) > 40 {
			return FieldErrorf("reactionKinds", "Reaction kind %q needs a label of 1 to 40 characters.", k.Kind)
		}
		if !utf8.ValidString(k.Icon) || utf8.RuneCountInString(k.Icon) > 8 {
			return FieldErrorf("reactionKinds", "Reaction kind %q has an icon longer than 8 characters.", k.Kind)
		}
	}
	return nil
}

func isSlug(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// CreateSiteInput creates a site.
type CreateSiteInput struct {
	Name           string
	AllowedOrigins []string
}

// Validate checks and normalises the input.
func (in *CreateSiteInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	if err := ValidateSiteName(in.Name); err != nil {
		return err
	}
	origins, err := NormalizeOrigins(in.AllowedOrigins)
	in.AllowedOrigins = origins
	return err
}

// ValidateSiteName checks a site's display name, which must show at least one character.
func ValidateSiteName(name string) error {
	if !utf8.ValidString(name) || VisibleLength(name) == 0 || utf8.RuneCountInString(name) > 100 {
		return FieldErrorf("name", "Site name must be 1 to 100 characters.")
	}
	return nil
}

// MaxAllowedOrigins bounds a site's origin list.
const MaxAllowedOrigins = 50

// NormalizeOrigins validates origins and returns them as lowercase scheme://host[:port].
func NormalizeOrigins(origins []string) ([]string, error) {
	if len(origins) == 0 {
		return nil, FieldErrorf("allowedOrigins", "A site needs at least one allowed origin, such as https://news.example.org.")
	}
	if len(origins) > MaxAllowedOrigins {
		return nil, FieldErrorf("allowedOrigins", "A site may have at most %d allowed origins.", MaxAllowedOrigins)
	}
	out := make([]string, 0, len(origins))
	seen := map[string]bool{}
	for _, o := range origins {
		n, err := NormalizeOrigin(o)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// NormalizeOrigin validates one origin and returns it as lowercase scheme://host[:port],
// without a default port.
func NormalizeOrigin(origin string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(origin))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", FieldErrorf("allowedOrigins", "%q is not an origin: use scheme://host[:port], such as https://news.example.org.", origin)
	}
	return originOf(u), nil
}

func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port
	}
	return scheme + "://" + host
}

// SiteSettingsUpdate changes some of a site's settings; nil fields are left as they are.
type SiteSettingsUpdate struct {
	Name               *string
	AllowedOrigins     []string
	MinCommentLength   *int
	MaxCommentLength   *int
	EditWindowSeconds  *int
	MaxDepth           *int
	ReactionKinds      []ReactionKind
	CommentingDisabled *bool
	ClosedMessage      *string
	PremodAll          *bool
	PremodLinks        *bool
	// RequireVerifiedEmail sets SiteSettings.RequireVerifiedEmail.
	RequireVerifiedEmail *bool
	PremodNewCommenters  *int
	HoldRejectionRate    *float64
	ReportHoldThreshold  *int
	HoldSuspectWords     *bool
	// Stages replaces the pipeline; an empty, non-nil list restores the built-in one.
	Stages []StageSetting
	// SSOSecret sets the single sign-on secret; an empty string removes it.
	SSOSecret *string
	// Trust replaces the trust-level thresholds.
	Trust *TrustSettings
	// TrustEffects replaces what trust levels allow.
	TrustEffects *TrustEffectSettings
	// PublicLog replaces whom the public log names.
	PublicLog *PublicLogSettings
	// ShowRevisions shows comments' edit histories to every reader, or not.
	ShowRevisions *bool
	// AutoCloseAfterDays sets how long stories stay open (0: for ever).
	AutoCloseAfterDays *int
	// GuestComments takes guests' comments, or not.
	GuestComments *bool
}

// Apply returns the site with the update applied and validated.
func (u SiteSettingsUpdate) Apply(s Site) (Site, error) {
	if u.Name != nil {
		name := strings.TrimSpace(*u.Name)
		if err := ValidateSiteName(name); err != nil {
			return s, err
		}
		s.Name = name
	}
	if u.AllowedOrigins != nil {
		origins, err := NormalizeOrigins(u.AllowedOrigins)
		if err != nil {
			return s, err
		}
		s.AllowedOrigins = origins
	}
	set := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.Settings.MinCommentLength, u.MinCommentLength)
	set(&s.Settings.MaxCommentLength, u.MaxCommentLength)
	set(&s.Settings.EditWindowSeconds, u.EditWindowSeconds)
	set(&s.Settings.MaxDepth, u.MaxDepth)
	if u.ReactionKinds != nil {
		s.Settings.ReactionKinds = u.ReactionKinds
	}
	if u.CommentingDisabled != nil {
		s.Settings.CommentingDisabled = *u.CommentingDisabled
	}
	if u.ClosedMessage != nil {
		s.Settings.ClosedMessage = strings.TrimSpace(*u.ClosedMessage)
	}
	if u.PremodAll != nil {
		s.Settings.PremodAll = *u.PremodAll
	}
	if u.PremodLinks != nil {
		s.Settings.PremodLinks = *u.PremodLinks
	}
	if u.RequireVerifiedEmail != nil {
		s.Settings.RequireVerifiedEmail = *u.RequireVerifiedEmail
	}
	set(&s.Settings.PremodNewCommenters, u.PremodNewCommenters)
	set(&s.Settings.ReportHoldThreshold, u.ReportHoldThreshold)
	if u.HoldSuspectWords != nil {
		s.Settings.HoldSuspectWords = *u.HoldSuspectWords
	}
	if u.Stages != nil {
		s.Settings.Stages = u.Stages
	}
	if u.HoldRejectionRate != nil {
		s.Settings.HoldRejectionRate = *u.HoldRejectionRate
	}
	if u.Trust != nil {
		if err := u.Trust.Validate(); err != nil {
			return s, err
		}
		t := *u.Trust
		s.Settings.Trust = &t
	}
	if u.TrustEffects != nil {
		s.Settings.TrustEffects = *u.TrustEffects
	}
	if u.PublicLog != nil {
		s.Settings.PublicLog = *u.PublicLog
	}
	if u.ShowRevisions != nil {
		s.Settings.ShowRevisions = *u.ShowRevisions
	}
	set(&s.Settings.AutoCloseAfterDays, u.AutoCloseAfterDays)
	if u.GuestComments != nil {
		s.Settings.GuestComments = *u.GuestComments
	}
	if u.SSOSecret != nil && *u.SSOSecret != "" && len(*u.SSOSecret) < MinSSOSecretLength {
		return s, FieldErrorf("ssoSecret", "The single sign-on secret must be at least %d bytes.", MinSSOSecretLength)
	}
	return s, s.Settings.Validate()
}

// MaxAutoCloseAfterDays bounds AutoCloseAfterDays at ten years, which also keeps the closing
// time far inside what time.Time and PostgreSQL can add.
const MaxAutoCloseAfterDays = 3650

// MinSSOSecretLength keeps HS256 secrets out of brute-force reach.
const MinSSOSecretLength = 32

// SiteService stores sites. Creating a site is for admins; changing one is for its moderators
// and admins.
type SiteService interface {
	FindSiteByID(ctx context.Context, id string) (*Site, error)
	FindSites(ctx context.Context) ([]*Site, error)
	CreateSite(ctx context.Context, in CreateSiteInput) (*Site, error)
	UpdateSiteSettings(ctx context.Context, id string, upd SiteSettingsUpdate) (*Site, error)
	// IsAllowedOrigin reports whether any site allows origin; it serves CORS.
	IsAllowedOrigin(ctx context.Context, origin string) (bool, error)
}
