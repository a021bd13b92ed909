package portable

import (
	"io"

	"github.com/parleyhq/parley"
)

// Check reads a site file as an import's first pass does, checking every record, for the
// fuzz target: it returns the records read and the error that stopped it, if any.
func Check(r io.Reader) (int, error) {
	n := 0
	err := walk(r, visitor{
		site: func(parley.PortableSite, int64) error { return nil },
		record: func(section string, rec any, offset int64) error {
			if p := check(rec); p != "" {
				return invalid(offset, "record %d of %s: %s", n+1, section, p)
			}
			n++
			return nil
		},
	})
	return n, err
}
