package auth

// HumanDuration exposes humanDuration to the external tests.
var HumanDuration = humanDuration

// Verifications is how many passwords s has verified.
func Verifications(s *Service) int64 { return s.verifications.Load() }

// HoldHashSlot takes one of s's hashing slots until release is called, so that tests can
// fill them.
func HoldHashSlot(s *Service) (release func()) {
	s.hashes.slots <- struct{}{}
	return func() { <-s.hashes.slots }
}
