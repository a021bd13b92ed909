package importer

import "io"

// ReadAll reads every item of a file as Import would, for the fuzz targets: it returns how
// many items it read and the error that stopped it, if any.
func ReadAll(format string, r io.Reader) (int, error) {
	rd, err := newReader(format, r)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		if _, err := rd.next(); err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		n++
	}
}
