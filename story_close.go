package parley

import "time"

// ApplyAutoClose closes the story, as readers and the pipeline see it, once the site's
// autoCloseAfterDays have passed since it opened (OpenSince) at now. Closing is a function
// of time rather than a stored change, so it happens exactly on time on every replica with
// no job to run and nothing to miss during an outage; a moderator reopens a story by setting
// closed to false, which restarts its clock. days <= 0 leaves the story as it is.
func (s *Story) ApplyAutoClose(days int, now time.Time) {
	if days <= 0 || s.Closed {
		return
	}
	opened := s.OpenSince
	if opened.IsZero() {
		opened = s.CreatedAt
	}
	at := opened.AddDate(0, 0, days)
	s.ClosesAt = &at
	if !now.Before(at) {
		s.Closed, s.AutoClosed = true, true
	}
}

// ClosedError is the ECLOSED answer to a new comment on a closed story: the site's closed
// message when it has one, so readers hear the site's own words, and otherwise why.
func (s *Story) ClosedError(settings SiteSettings) error {
	switch {
	case settings.ClosedMessage != "" && (settings.CommentingDisabled || s.AutoClosed):
		return Errorf(ECLOSED, "%s", settings.ClosedMessage)
	case settings.CommentingDisabled:
		return Errorf(ECLOSED, "Commenting is turned off on this site.")
	case s.AutoClosed:
		return Errorf(ECLOSED, "This story closed to new comments %d days after it opened.", settings.AutoCloseAfterDays)
	case s.Closed:
		return Errorf(ECLOSED, "This story is closed to new comments.")
	}
	return nil
}
