package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzValidConfig parses as fuzz.yml: every secret is inline, since the
// *_file fields resolve against the package folder, not testdata.
const fuzzValidConfig = `mist:
  - name: acme-eu
    cloud: emea01
    token: tok-inline-0123456789
    webhook_secret: whsec-0f1e2d3c
    sites:
      regex: "^AMS-"
    collections:
      devices:
        interval: 2m
      clients:
        enabled: false
    budget:
      requests_per_hour: 4000
  - name: acme-lab
    base_url: http://127.0.0.1:8080
    email: ops@example.com
    password: hunter2-lab-password
    timeout: 10s
prime:
  - name: pi-campus
    base_url: https://pi.example.com
    username: nms-monitor
    password: prime-pass-0987
    virtual_domain: NA-Campus
nautobot:
  - name: nb
    base_url: https://nautobot.example.com
    token: nb-token-abcdef
    describes: [acme-eu]
`

func FuzzParse(f *testing.F) {
	f.Add([]byte(fuzzValidConfig))
	f.Add([]byte(""))
	f.Add([]byte("mist:\n  - name: a\n    token: t\n  - name: a\n    token: t\n"))
	f.Add([]byte("mist:\n  - name: a\n    token: t\nprime:\n  - name: a\n    base_url: https://x\n    username: u\n    password: p\n"))
	f.Add([]byte("mist: [\n"))
	f.Add([]byte("mist:\n  - name: \"bad name\"\n    token: t\n    timeout: 1ms\n"))
	f.Add([]byte("\tmist:\n"))
	f.Add([]byte("mist:\n  - *anchor\n"))
	f.Add([]byte(fuzzValidConfig[:len(fuzzValidConfig)/2]))
	f.Add([]byte(fuzzValidConfig[:len(fuzzValidConfig)/3]))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yml")
		if err != nil {
			if c != nil {
				t.Errorf("Parse = %v, %v; want a nil config with the error", c, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yml") {
					t.Errorf("error line %q does not start with fuzz.yml; whole error:\n%s", line, err)
				}
			}
			return
		}
		if c == nil {
			t.Fatal("Parse = nil, nil; want a config or an error")
		}
		seen := map[string]bool{}
		for _, s := range c.Sources() {
			name := s.SourceName()
			if name == "" {
				t.Errorf("a valid config has a %s source without a name", s.VendorName())
			}
			if seen[name] {
				t.Errorf("source name %q is used twice in a valid config", name)
			}
			seen[name] = true
		}
		checkSecretsHidden(t, c)
	})
}

// checkSecretsHidden asserts fmt.Sprint of the config does not depend on
// the sources' secret values: the same config with every secret replaced
// prints the same. A plain substring check would trip on short secrets
// that also occur in a name or URL.
func checkSecretsHidden(t *testing.T, c *Config) {
	t.Helper()
	const other = Secret("replaced-secret-value")
	swap := func(s Secret) Secret {
		if s == "" {
			return ""
		}
		return other
	}
	d := *c
	d.Mist = append([]Mist(nil), c.Mist...)
	for i := range d.Mist {
		d.Mist[i].Token = swap(d.Mist[i].Token)
		d.Mist[i].Password = swap(d.Mist[i].Password)
		d.Mist[i].WebhookSecret = swap(d.Mist[i].WebhookSecret)
	}
	d.Prime = append([]Prime(nil), c.Prime...)
	for i := range d.Prime {
		d.Prime[i].Password = swap(d.Prime[i].Password)
	}
	d.CXCloud = append([]CXCloud(nil), c.CXCloud...)
	for i := range d.CXCloud {
		d.CXCloud[i].ClientSecret = swap(d.CXCloud[i].ClientSecret)
	}
	d.Nautobot = append([]Nautobot(nil), c.Nautobot...)
	for i := range d.Nautobot {
		d.Nautobot[i].Token = swap(d.Nautobot[i].Token)
	}
	got, want := fmt.Sprint(c), fmt.Sprint(&d)
	if got != want {
		t.Errorf("fmt.Sprint(config) depends on secret values:\n got %s\nwant %s", got, want)
	}
	for _, s := range c.Sources() {
		var secrets []Secret
		switch v := s.(type) {
		case *Mist:
			secrets = []Secret{v.Token, v.Password, v.WebhookSecret}
		case *Prime:
			secrets = []Secret{v.Password}
		case *CXCloud:
			secrets = []Secret{v.ClientSecret}
		case *Nautobot:
			secrets = []Secret{v.Token}
		}
		for _, sec := range secrets {
			if sec != "" && fmt.Sprint(sec) != hidden {
				t.Errorf("source %s: fmt.Sprint(secret) = %q; want %q", s.SourceName(), fmt.Sprint(sec), hidden)
			}
		}
	}
}
