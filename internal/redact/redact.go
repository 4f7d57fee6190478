// Package redact keeps secrets out of what the exporter shows: log lines,
// error texts on its pages, and URLs with credentials in them. A vendor
// that echoes an Authorization header in an error body would otherwise
// put the token on /status and in the logs.
package redact

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
)

// Hidden replaces every secret found.
const Hidden = "<secret>"

// minSecret is the shortest value scrubbed: replacing a one- or
// two-character secret everywhere would garble every text and tell its
// value by where it vanished.
const minSecret = 4

// userinfo matches the credentials of a URL: scheme://user:password@.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s"'<>]+@`)

// Scrubber replaces known secrets, and any URL's userinfo, in texts. The
// zero value and nil scrub URLs only.
type Scrubber struct {
	r *strings.Replacer
}

// New returns a scrubber of secrets, also in their URL-escaped forms.
func New(secrets []string) *Scrubber {
	var all []string
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		all = append(all, s, url.QueryEscape(s), url.PathEscape(s))
	}
	// Longest first, so a secret that holds another goes whole.
	slices.SortFunc(all, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	all = slices.Compact(all)
	if len(all) == 0 {
		return &Scrubber{}
	}
	pairs := make([]string, 0, 2*len(all))
	for _, s := range all {
		pairs = append(pairs, s, Hidden)
	}
	return &Scrubber{r: strings.NewReplacer(pairs...)}
}

// String returns s without secrets or URL credentials.
func (s *Scrubber) String(text string) string {
	if s != nil && s.r != nil {
		text = s.r.Replace(text)
	}
	if strings.Contains(text, "@") {
		text = userinfo.ReplaceAllString(text, "${1}"+Hidden+"@")
	}
	return text
}

// Error returns err with its text scrubbed, or nil. The scrubbed error
// still unwraps to err, so errors.Is and As keep working.
func (s *Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	clean := s.String(text)
	if clean == text {
		return err
	}
	return &scrubbed{text: clean, err: err}
}

type scrubbed struct {
	text string
	err  error
}

func (e *scrubbed) Error() string { return e.text }
func (e *scrubbed) Unwrap() error { return e.err }

// Handler is a slog.Handler that scrubs every message and attribute before
// the next handler sees it. Set swaps the secrets on a config reload.
type Handler struct {
	next slog.Handler
	s    *atomic.Pointer[Scrubber]
}

// NewHandler wraps next.
func NewHandler(next slog.Handler) *Handler {
	h := &Handler{next: next, s: &atomic.Pointer[Scrubber]{}}
	h.s.Store(&Scrubber{})
	return h
}

// Set makes the handler, and every handler derived from it, scrub these.
func (h *Handler) Set(s *Scrubber) { h.s.Store(s) }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	s := h.s.Load()
	out := slog.NewRecord(r.Time, r.Level, s.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(scrubAttr(s, a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	// Attributes bound now are scrubbed with today's secrets; they name
	// targets and collections, not credentials.
	s := h.s.Load()
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = scrubAttr(s, a)
	}
	return &Handler{next: h.next.WithAttrs(clean), s: h.s}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), s: h.s}
}

func scrubAttr(s *Scrubber, a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, s.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = scrubAttr(s, g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, s.String(err.Error()))
		}
		// Other values keep their shape unless their text holds a secret.
		if text := fmt.Sprint(v.Any()); s.String(text) != text {
			return slog.String(a.Key, s.String(text))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
