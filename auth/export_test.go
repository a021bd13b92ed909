package auth

// HumanDuration exposes humanDuration to the external tests.
var HumanDuration = humanDuration

// Verifications is how many passwords s has verified.
func Verifications(s *Service) int64 { return s.verifications.Load() }
