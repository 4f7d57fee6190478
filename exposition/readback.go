package exposition

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadBack returns a sink of the series whose text (FormatText, as a sink
// encodes it) d holds, sorted, for encoding them in another format: a
// source keeps its last good render so, where it would otherwise keep the
// data it was made from. The other formats made from it are those the
// sink made, byte for byte, but for what the text does not tell: in
// protobuf a zero's sign and a NaN's payload.
func ReadBack(d *Deflated) (*Sink, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(d.InflateTo(pw)) }()
	defer pr.Close()
	s, err := readText(bufio.NewReaderSize(pr, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("reading back the kept text: %w", err)
	}
	s.Sort()
	return s, nil
}

// readText reads the Prometheus text writeText makes: for each family a
// HELP and a TYPE line, then its series, their labels in order of name.
func readText(r *bufio.Reader) (*Sink, error) {
	s := NewSink()
	var f *Family
	line := 0
	for {
		text, err := r.ReadString('\n')
		if err == io.EOF && text == "" {
			return s, nil
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		line++
		text = strings.TrimSuffix(text, "\n")
		switch {
		case strings.HasPrefix(text, "# HELP "):
			name, help, ok := strings.Cut(text[len("# HELP "):], " ")
			if !ok {
				return nil, fmt.Errorf("line %d: HELP without a text", line)
			}
			f = &Family{name: name, help: unescapeHelp(help)}
			s.families[f] = nil
		case strings.HasPrefix(text, "# TYPE "):
			name, kind, _ := strings.Cut(text[len("# TYPE "):], " ")
			if f == nil || name != f.name || (kind != "gauge" && kind != "counter") {
				return nil, fmt.Errorf("line %d: TYPE %q of no family read", line, text)
			}
			f.counter = kind == "counter"
		default:
			if err := readSeries(s, f, text); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		}
	}
}

// readSeries reads one series of f. Its label names are the family's,
// taken from its first series.
func readSeries(s *Sink, f *Family, text string) error {
	if f == nil || !strings.HasPrefix(text, f.name) {
		return errors.New("a series of no family read")
	}
	rest := text[len(f.name):]
	var names, values []string
	if strings.HasPrefix(rest, "{") {
		rest = rest[1:]
		for !strings.HasPrefix(rest, "}") {
			name, after, ok := strings.Cut(rest, `="`)
			if !ok {
				return errors.New("a label without a value")
			}
			value, n, err := unescapeLabelValue(after)
			if err != nil {
				return err
			}
			names, values = append(names, name), append(values, value)
			rest = strings.TrimPrefix(after[n:], ",")
		}
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, " ") {
		return errors.New("no value")
	}
	v, err := strconv.ParseFloat(rest[1:], 64)
	if err != nil {
		return err
	}
	if s.families[f] == nil && f.order == nil {
		f.labels, f.order = names, make([]int, len(names))
		for i := range f.order {
			f.order[i] = i
		}
	}
	if len(names) != len(f.labels) {
		return fmt.Errorf("%d labels where the family has %d", len(names), len(f.labels))
	}
	for i, n := range names {
		if n != f.labels[i] {
			return fmt.Errorf("label %q where the family has %q", n, f.labels[i])
		}
	}
	s.Gauge(f, v, values...)
	return nil
}

// unescapeHelp undoes textHelp.
func unescapeHelp(h string) string {
	if !strings.Contains(h, `\`) {
		return h
	}
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(h)
}

// unescapeLabelValue reads a label value that labelEscaper wrote, up to
// its closing quote, and returns it with the length read, quote included.
func unescapeLabelValue(s string) (string, int, error) {
	end := strings.IndexAny(s, `"\`)
	if end >= 0 && s[end] == '"' {
		return s[:end], end + 1, nil
	}
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 == len(s) {
				return "", 0, errors.New("a label value ends in an escape")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				return "", 0, fmt.Errorf("a label value escapes %q", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("a label value without its closing quote")
}
