// Package auth holds the rules for proving who someone is: password hashing, the shape of
// session and API tokens, single sign-on tokens from host sites, and the Service that ties them
// to storage. Storage itself lives behind the Store interface so these rules stay in one place.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. They are written into every hash, so raising them
// later only affects new hashes; NeedsRehash tells when a stored hash was made with others.
type Params struct {
	// Memory is in KiB. It is what makes argon2id expensive on GPUs and ASICs, so it is the
	// parameter to raise first.
	Memory uint32
	// Iterations is the number of passes over the memory.
	Iterations uint32
	// Parallelism is the number of lanes. It is part of the hash, not a tuning knob for the
	// machine at hand: changing it changes every hash.
	Parallelism uint8
	// SaltLength and KeyLength are in bytes.
	SaltLength uint32
	KeyLength  uint32
}

// DefaultParams returns the production parameters: 64 MiB, 2 passes, 2 lanes, a 16-byte salt
// and a 32-byte key. On the 2-core development machine one hash takes about 45 ms (measured:
// 42–49 ms; one pass took about 23 ms, three about 60 ms). That is slow enough to make offline
// guessing expensive (RFC 9106 and OWASP both ask for at least this memory-time product) and
// fast enough that a sign-in still feels instant. The Service bounds how many hashes run at
// once, so memory stays at about 64 MiB per concurrent hash.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32}
}

// Bounds on parameters, for new hashes and for stored ones alike. The upper bounds keep a
// corrupted or hostile stored hash from making us allocate without limit.
const (
	maxMemoryKiB  = 1 << 20 // 1 GiB
	maxIterations = 64
	minSaltLength = 8
	maxSaltLength = 64
	minKeyLength  = 16
	maxKeyLength  = 128
)

// Validate reports whether the parameters are usable. Tests may use very cheap parameters
// (such as 8 KiB and one pass); production should use DefaultParams or stronger.
func (p Params) Validate() error {
	switch {
	case p.Parallelism < 1:
		return errors.New("auth: argon2 parallelism must be at least 1")
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("auth: argon2 memory must be between %d and %d KiB", 8*uint32(p.Parallelism), maxMemoryKiB)
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("auth: argon2 iterations must be between 1 and %d", maxIterations)
	case p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength:
		return fmt.Errorf("auth: argon2 salt length must be between %d and %d bytes", minSaltLength, maxSaltLength)
	case p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength:
		return fmt.Errorf("auth: argon2 key length must be between %d and %d bytes", minKeyLength, maxKeyLength)
	}
	return nil
}

// phcB64 is the encoding the PHC string format uses: the standard alphabet without padding.
var phcB64 = base64.RawStdEncoding

// HashPassword hashes a password with argon2id and a fresh random salt, and returns it in the
// PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so that the parameters travel with
// the hash. Passwords longer than parley.MaxPasswordLength are refused before any hashing.
func HashPassword(password string, p Params) (string, error) {
	if len(password) > parley.MaxPasswordLength {
		return "", parley.FieldErrorf("password", "Password must be at most %d bytes.", parley.MaxPasswordLength)
	}
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	return encodePHC(p, salt, key), nil
}

// VerifyPassword reports whether password matches a hash made by HashPassword, using the
// parameters stored in the hash and a constant-time comparison. An error means the stored hash
// is unreadable, which is a data problem, not a wrong password. Passwords longer than
// parley.MaxPasswordLength never match and are not hashed.
func VerifyPassword(password, encoded string) (bool, error) {
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > parley.MaxPasswordLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether a stored hash was made with parameters other than p (or cannot
// be read), so that the caller can store a fresh hash while it still has the password, right
// after a successful sign-in.
func NeedsRehash(encoded string, p Params) bool {
	got, salt, key, err := decodePHC(encoded)
	if err != nil {
		return true
	}
	got.SaltLength = uint32(len(salt))
	got.KeyLength = uint32(len(key))
	return got != p
}

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Iterations, p.Parallelism, phcB64.EncodeToString(salt), phcB64.EncodeToString(key))
}

// errBadHash is returned for any stored hash that is not an argon2id PHC string we can use;
// it says nothing of the hash itself, which must never reach a log.
var errBadHash = errors.New("auth: stored password hash is not a valid argon2id PHC string")

// decodePHC parses a PHC string strictly: exactly the fields and order encodePHC writes.
func decodePHC(encoded string) (p Params, salt, key []byte, err error) {
	if len(encoded) > 512 {
		return p, nil, nil, errBadHash
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errBadHash
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, errBadHash
	}
	m, ok1 := phcUint(fields[0], "m=", 32)
	t, ok2 := phcUint(fields[1], "t=", 32)
	par, ok3 := phcUint(fields[2], "p=", 8)
	if !ok1 || !ok2 || !ok3 {
		return p, nil, nil, errBadHash
	}
	if salt, err = phcB64.Strict().DecodeString(parts[4]); err != nil {
		return p, nil, nil, errBadHash
	}
	if key, err = phcB64.Strict().DecodeString(parts[5]); err != nil {
		return p, nil, nil, errBadHash
	}
	p = Params{Memory: uint32(m), Iterations: uint32(t), Parallelism: uint8(par),
		SaltLength: uint32(len(salt)), KeyLength: uint32(len(key))}
	if p.Validate() != nil {
		return Params{}, nil, nil, errBadHash
	}
	return p, salt, key, nil
}

// phcUint parses "name=digits" with no sign, spaces or leading zeros.
func phcUint(s, name string, bits int) (uint64, bool) {
	digits, ok := strings.CutPrefix(s, name)
	if !ok || digits == "" || (len(digits) > 1 && digits[0] == '0') || digits[0] == '+' {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, bits)
	return n, err == nil
}

// DefaultMaxHashWait is how long a sign-in or sign-up waits for a hashing slot before it is
// refused with RATE_LIMITED.
const DefaultMaxHashWait = 2 * time.Second

// hashGate bounds how many argon2 computations run at once. Each takes Params.Memory (64 MiB
// with DefaultParams) for as long as it runs, so n slots hold memory to about n × Memory
// however many sign-ins arrive, from however many networks (the per-address limits do not
// help against many addresses). A caller waits at most wait for a slot and is then refused
// with ERATELIMITED: under a flood, answering "busy" at once serves everyone better than a
// queue that grows without bound, each waiter holding its request and its connection.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

// newHashGate returns a gate of n slots (at least one) whose callers wait at most wait
// (DefaultMaxHashWait when zero or less).
func newHashGate(n int, wait time.Duration) *hashGate {
	if wait <= 0 {
		wait = DefaultMaxHashWait
	}
	return &hashGate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// acquire takes a slot, waiting at most g.wait and no longer than ctx lives. Every
// successful acquire must be followed by one release.
func (g *hashGate) acquire(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return parley.RateLimitedf(time.Second, "The server is checking too many passwords at once; try again in a second.")
	case <-ctx.Done():
		return fmt.Errorf("auth: waiting to hash a password: %w", ctx.Err())
	}
}

func (g *hashGate) release() { <-g.slots }
