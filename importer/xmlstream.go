package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/parleyhq/parley"
)

// MaxElementBytes bounds one thread, post or item of a file: the decoder reads one element
// at a time, so this (and not the file's size) bounds the memory an import takes.
const MaxElementBytes = 32 << 20

// errElementTooLarge is budget's error: an element longer than MaxElementBytes.
var errElementTooLarge = errors.New("an element is longer than 32 MiB")

// budget is the file as the decoder reads it, failing once one element has read too much.
type budget struct {
	r    io.Reader
	left int64
}

func (b *budget) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errElementTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// xmlStream walks the elements of an XML file one at a time. encoding/xml expands only the
// five predefined entities and character references and reads no DTD, so an entity bomb
// ("billion laughs") is an error, not a billion laughs; Strict mode refuses undefined
// entities; a file declaring another encoding than UTF-8 is refused.
type xmlStream struct {
	d *xml.Decoder
	b *budget
}

func newXMLStream(r io.Reader) *xmlStream {
	b := &budget{r: r, left: MaxElementBytes}
	d := xml.NewDecoder(b)
	d.Strict = true
	return &xmlStream{d: d, b: b}
}

func (s *xmlStream) offset() int64 { return s.d.InputOffset() }

// token returns the next token, with errors said as where the file is broken.
func (s *xmlStream) token() (xml.Token, error) {
	tok, err := s.d.Token()
	if err != nil {
		return nil, s.fail(err)
	}
	return tok, nil
}

// decode reads the element that start opened into v, within the element budget.
func (s *xmlStream) decode(v any, start xml.StartElement) error {
	s.b.left = MaxElementBytes
	if err := s.d.DecodeElement(v, &start); err != nil {
		return s.fail(err)
	}
	return nil
}

// skip passes over the element just opened.
func (s *xmlStream) skip() error {
	s.b.left = MaxElementBytes
	if err := s.d.Skip(); err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *xmlStream) fail(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	var syn *xml.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syn) && syn.Msg == "unexpected EOF":
		return parley.Errorf(parley.EINVALID, "The file ends in the middle of an element (byte %d): it is truncated.", s.d.InputOffset())
	case errors.As(err, &syn):
		return parley.Errorf(parley.EINVALID, "The file is not well-formed XML at line %d: %s.", syn.Line, syn.Msg)
	case errors.Is(err, errElementTooLarge):
		return parley.Errorf(parley.EINVALID, "The file has an element longer than %d MiB near byte %d.", MaxElementBytes>>20, s.d.InputOffset())
	}
	return parley.Errorf(parley.EINVALID, "The file cannot be read near byte %d: %s.", s.d.InputOffset(), fmt.Sprint(err))
}
