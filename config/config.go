// Package config holds the exporter's configuration file schema: loading,
// defaults, validation with file and line, secrets that never print, and a
// holder that swaps in only a valid configuration on reload.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/internal/fileread"
)

// Config is the whole configuration file.
type Config struct {
	Mist     []Mist     `yaml:"mist,omitempty"`
	Prime    []Prime    `yaml:"prime,omitempty"`
	CXCloud  []CXCloud  `yaml:"cxcloud,omitempty"`
	Nautobot []Nautobot `yaml:"nautobot,omitempty"`

	// Alertmanager, when set, receives active vendor alarms as alerts.
	Alertmanager *Alertmanager `yaml:"alertmanager,omitempty"`

	// Warnings are what the file does that is valid but unwise, with file
	// and line: check-config prints them and the exporter logs them.
	Warnings []string `yaml:"-"`
}

// Source is what every vendor section has in common, seen through the
// vendor-neutral parts of the exporter (discovery, the landing page).
type Source interface {
	SourceName() string
	VendorName() string
	SourceCommon() *Common
	validate(v *validator, at path)
}

// sections are the vendors' parts of the file, in the order sources are
// listed: one line per vendor.
var sections = []struct {
	key     string
	sources func(c *Config) []Source
}{
	{"mist", func(c *Config) []Source { return sourcesOf(c.Mist) }},
	{"prime", func(c *Config) []Source { return sourcesOf(c.Prime) }},
	{"cxcloud", func(c *Config) []Source { return sourcesOf(c.CXCloud) }},
	{"nautobot", func(c *Config) []Source { return sourcesOf(c.Nautobot) }},
}

// Vendors lists the vendors' config keys, in the order sources are listed.
func Vendors() []string {
	out := make([]string, len(sections))
	for i, s := range sections {
		out[i] = s.key
	}
	return out
}

// Sources lists every configured source in file order, vendor by vendor.
func (c *Config) Sources() []Source {
	var out []Source
	for _, s := range sections {
		out = append(out, s.sources(c)...)
	}
	return out
}

// Common holds the settings every source has: its name, TLS, timeout,
// proxy, budget and collections.
type Common struct {
	Name        string                `yaml:"name"`
	Timeout     Duration              `yaml:"timeout,omitempty"`
	ProxyURL    string                `yaml:"proxy_url,omitempty"`
	TLS         TLS                   `yaml:"tls,omitempty"`
	Budget      Budget                `yaml:"budget,omitempty"`
	Collections map[string]Collection `yaml:"collections,omitempty"`
	// BodySizeLimit is the largest response body accepted; 0 means 64MiB.
	BodySizeLimit Size `yaml:"body_size_limit,omitempty"`
	// Limits bound what one answer may bring.
	Limits Limits `yaml:"limits,omitempty"`
}

// SourceName returns the source's unique name, the /probe target.
func (c *Common) SourceName() string { return c.Name }

// SourceCommon returns the settings every source has.
func (c *Common) SourceCommon() *Common { return c }

// TLS configures how the exporter verifies the vendor's server.
type TLS struct {
	CAFile             string `yaml:"ca_file,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify,omitempty"`
	ServerName         string `yaml:"server_name,omitempty"`
}

// Budget bounds the calls a source makes upstream. Zero means no limit of
// that kind.
type Budget struct {
	RequestsPerSecond float64 `yaml:"requests_per_second,omitempty"`
	RequestsPerHour   int     `yaml:"requests_per_hour,omitempty"`
	RequestsPerDay    int     `yaml:"requests_per_day,omitempty"`
	// Reserve is the share of the hourly and daily budget left unplanned,
	// for other tools using the same credentials.
	Reserve     float64 `yaml:"reserve,omitempty"`
	MaxRetries  int     `yaml:"max_retries,omitempty"`
	Concurrency int     `yaml:"concurrency,omitempty"`
}

// Collection is one named unit of fetching with its own interval.
type Collection struct {
	Enabled  bool     `yaml:"enabled"`
	Interval Duration `yaml:"interval"`
}

// UnmarshalYAML implements yaml.Unmarshaler: a collection named in the file
// is enabled unless it says otherwise.
func (c *Collection) UnmarshalYAML(unmarshal func(any) error) error {
	c.Enabled = true
	type plain Collection
	return unmarshal((*plain)(c))
}

// Error is one problem in a configuration file, with its place.
type Error struct {
	File string
	Line int
	Path string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Load reads, decodes, defaults and validates a configuration file, and
// reads the secrets its *_file fields name. Errors carry the file and line.
func Load(filename string) (*Config, error) {
	b, _, err := fileread.Regular(filename, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(b, filename)
}

var yamlLine = regexp.MustCompile(`(?s)^(?:yaml: )?line (\d+): (.*)$`)

// Parse is Load on bytes already read; filename names them in errors and
// anchors relative paths.
func Parse(b []byte, filename string) (*Config, error) {
	cfg := &Config{}
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty file decodes to io.EOF: it is a valid, empty config.
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlErrors(filename, &root, err)
	}

	v := &validator{dir: filepath.Dir(filename)}
	cfg.validate(v)
	place := func(fe fieldError) *Error {
		return &Error{File: filename, Line: lineOf(&root, fe.path), Path: fe.path.String(), Msg: fe.msg}
	}
	if len(v.errs) == 0 {
		for _, fe := range v.warns {
			cfg.Warnings = append(cfg.Warnings, place(fe).Error())
		}
		return cfg, nil
	}
	out := make(Errors, 0, len(v.errs))
	for _, fe := range v.errs {
		out = append(out, place(fe))
	}
	return nil, out
}

func yamlErrors(filename string, root *yaml.Node, err error) error {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make(Errors, 0, len(msgs))
	for _, m := range msgs {
		e := &Error{File: filename, Msg: strings.TrimPrefix(m, "yaml: ")}
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			e.Line, _ = strconv.Atoi(g[1])
			e.Msg = g[2]
		}
		// yaml.v3 names the Go type ("in type config.plain"); users know the
		// key. A quoted value may span lines; the message keeps to one.
		e.Msg = typeSuffix.ReplaceAllString(strings.Join(strings.Fields(e.Msg), " "), "")
		if g := unknownField.FindStringSubmatch(e.Msg); g != nil {
			// Name where the key stands and what it is not, for a typo in
			// the fifth source of a long file.
			e.Msg = fmt.Sprintf("unknown field %q", g[1])
			if p, ok := keyPath(root, e.Line, g[1], nil); ok {
				e.Path = p.String()
			}
		}
		out = append(out, e)
	}
	return out
}

var (
	typeSuffix   = regexp.MustCompile(` (in type|into) [\w.*\[\]]+$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found$`)
)

// keyPath finds the mapping key named key on line, and returns its path.
func keyPath(n *yaml.Node, line int, key string, at path) (path, bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p, ok := keyPath(c, line, key, at); ok {
				return p, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if p, ok := keyPath(c, line, key, at.add(i)); ok {
				return p, true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Line == line && k.Value == key {
				return at.add(key), true
			}
			if p, ok := keyPath(n.Content[i+1], line, key, at.add(k.Value)); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// path addresses a node in the file: map keys and list indexes.
type path []any

func (p path) String() string {
	var b strings.Builder
	for _, el := range p {
		switch v := el.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

func (p path) add(el ...any) path {
	out := make(path, 0, len(p)+len(el))
	return append(append(out, p...), el...)
}

// lineOf finds the line of the deepest node of p present in the document.
func lineOf(root *yaml.Node, p path) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, el := range p {
		var next *yaml.Node
		switch v := el.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == v {
						line = n.Content[i].Line
						next = n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && v < len(n.Content) {
				next = n.Content[v]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

type fieldError struct {
	path path
	msg  string
}

type validator struct {
	dir   string
	errs  []fieldError
	warns []fieldError
}

func (v *validator) errorf(p path, format string, args ...any) {
	v.errs = append(v.errs, fieldError{path: p, msg: fmt.Sprintf(format, args...)})
}

// warnf notes what is valid but unwise, such as a secret file others can
// read.
func (v *validator) warnf(p path, format string, args ...any) {
	v.warns = append(v.warns, fieldError{path: p, msg: fmt.Sprintf(format, args...)})
}

func (c *Config) validate(v *validator) {
	// Names are unique across vendors: a name is a /probe target.
	seen := map[string]string{}
	for _, section := range sections {
		for i, s := range section.sources(c) {
			p := path{section.key, i}
			s.validate(v, p)
			name := s.SourceName()
			if name == "" {
				continue
			}
			if prev, ok := seen[name]; ok {
				v.errorf(p.add("name"), "source name %q is already used by %s", name, prev)
			}
			seen[name] = p.String()
		}
	}
	if c.Alertmanager != nil {
		c.Alertmanager.validate(v, path{"alertmanager"}, seen)
	}
	for i, n := range c.Nautobot {
		for j, d := range n.Describes {
			p := path{"nautobot", i, "describes", j}
			switch at, ok := seen[d]; {
			case !ok:
				v.errorf(p, "no source is named %q", d)
			case strings.HasPrefix(at, "nautobot"):
				v.errorf(p, "%q is a Nautobot source; describes names vendor sources", d)
			}
		}
	}
}

func sourcesOf[T any, P interface {
	*T
	Source
}](list []T) []Source {
	out := make([]Source, len(list))
	for i := range list {
		out[i] = P(&list[i])
	}
	return out
}

var sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// validate checks the common fields against the vendor's known collections.
func (c *Common) validate(v *validator, p path, known map[string]Collection) {
	switch {
	case c.Name == "":
		v.errorf(p.add("name"), "missing source name")
	case !sourceName.MatchString(c.Name):
		v.errorf(p.add("name"), "source name %q may hold only letters, digits, '.', '_' and '-'", c.Name)
	}
	if c.Timeout < 0 || (c.Timeout > 0 && time.Duration(c.Timeout) < 100*time.Millisecond) {
		v.errorf(p.add("timeout"), "timeout %s is too short", c.Timeout)
	}
	if c.BodySizeLimit < 0 || (c.BodySizeLimit > 0 && c.BodySizeLimit < 1<<10) {
		v.errorf(p.add("body_size_limit"), "body_size_limit %s is below 1KiB", c.BodySizeLimit)
	}
	if c.ProxyURL != "" {
		u, err := url.Parse(c.ProxyURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			v.errorf(p.add("proxy_url"), "proxy_url must be an http, https or socks5 URL")
		}
	}
	if c.TLS.CAFile != "" {
		name := c.TLS.CAFile
		if !filepath.IsAbs(name) {
			name = filepath.Join(v.dir, name)
		}
		if _, err := os.Stat(name); err != nil {
			v.errorf(p.add("tls", "ca_file"), "%v", err)
		}
		c.TLS.CAFile = name
	}
	c.Budget.validate(v, p.add("budget"))
	c.Limits.validate(v, p.add("limits"))

	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	if c.Collections == nil {
		c.Collections = map[string]Collection{}
	}
	for n, col := range c.Collections {
		if _, ok := known[n]; !ok {
			v.errorf(p.add("collections", n), "unknown collection %q (known: %s)", n, strings.Join(names, ", "))
			continue
		}
		if col.Interval == 0 {
			col.Interval = known[n].Interval
			c.Collections[n] = col
		}
		switch {
		case time.Duration(col.Interval) < time.Second:
			v.errorf(p.add("collections", n, "interval"), "interval %s is shorter than 1s", col.Interval)
		case time.Duration(col.Interval) > maxInterval:
			v.errorf(p.add("collections", n, "interval"), "interval %s is longer than %s", col.Interval, Duration(maxInterval))
		}
	}
	for n, def := range known {
		if _, ok := c.Collections[n]; !ok {
			c.Collections[n] = def
		}
	}
}

// Bounds of a source's settings. Past them the arithmetic of planning and
// holds overflows time.Duration (an interval of 2562047h became -9.2e9 s),
// and no vendor needs them.
const (
	// maxInterval is a week: every quota reopens in less.
	maxInterval = 7 * 24 * time.Hour
	// maxPerSecond and maxCalls bound the budget's rate and quotas.
	maxPerSecond = 10_000
	maxCalls     = 1_000_000_000
)

// validate checks a budget; NaN and infinities, which YAML spells .nan and
// .inf, are out of every range.
func (b *Budget) validate(v *validator, at path) {
	if !(b.RequestsPerSecond >= 0 && b.RequestsPerSecond <= maxPerSecond) {
		v.errorf(at.add("requests_per_second"), "requests_per_second %v must be between 0 and %d", b.RequestsPerSecond, maxPerSecond)
	}
	if b.RequestsPerHour < 0 || b.RequestsPerHour > maxCalls {
		v.errorf(at.add("requests_per_hour"), "requests_per_hour %d must be between 0 and %d", b.RequestsPerHour, maxCalls)
	}
	if b.RequestsPerDay < 0 || b.RequestsPerDay > maxCalls {
		v.errorf(at.add("requests_per_day"), "requests_per_day %d must be between 0 and %d", b.RequestsPerDay, maxCalls)
	}
	if !(b.Reserve >= 0 && b.Reserve < 1) {
		v.errorf(at.add("reserve"), "reserve %v must be at least 0 and below 1", b.Reserve)
	}
	if b.MaxRetries < 0 || b.MaxRetries > 10 {
		v.errorf(at.add("max_retries"), "max_retries %d must be between 0 and 10", b.MaxRetries)
	}
	if b.Concurrency < 1 || b.Concurrency > 32 {
		v.errorf(at.add("concurrency"), "concurrency %d must be between 1 and 32", b.Concurrency)
	}
}

// Enabled lists the enabled collections, sorted by name.
func (c *Common) Enabled() []string {
	var out []string
	for n, col := range c.Collections {
		if col.Enabled {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
