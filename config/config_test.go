package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestLoadGood(t *testing.T) {
	c, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatalf("Load(good.yml) = %v; want no error", err)
	}
	if got := len(c.Mist); got != 2 {
		t.Fatalf("len(Mist) = %d; want 2", got)
	}
	eu, lab := c.Mist[0], c.Mist[1]
	if got, want := eu.Token.Value(), "tok-from-file-0123456789"; got != want {
		t.Errorf("token from token_file = %q; want %q", got, want)
	}
	if got, want := eu.URL(), "https://api.eu.mist.com"; got != want {
		t.Errorf("URL() = %q; want %q", got, want)
	}
	if got, want := time.Duration(eu.Collections["devices"].Interval), 2*time.Minute; got != want {
		t.Errorf("devices interval = %v; want %v", got, want)
	}
	if eu.Collections["clients"].Enabled {
		t.Errorf("clients enabled = true; want false")
	}
	if got, want := time.Duration(eu.Collections["alarms"].Interval), time.Minute; got != want {
		t.Errorf("default alarms interval = %v; want %v", got, want)
	}
	if got, want := eu.Budget.RequestsPerHour, 4000; got != want {
		t.Errorf("requests_per_hour = %d; want %d", got, want)
	}
	if got, want := eu.Budget.Concurrency, 4; got != want {
		t.Errorf("default concurrency = %d; want %d", got, want)
	}
	if got, want := eu.PageSize, 1000; got != want {
		t.Errorf("default page_size = %d; want %d", got, want)
	}
	if !eu.Sites.Match("AMS-HQ") || eu.Sites.Match("NYC-1") {
		t.Errorf("site regex ^AMS- does not filter as written")
	}
	if got, want := lab.URL(), "http://127.0.0.1:8080"; got != want {
		t.Errorf("base_url = %q; want %q", got, want)
	}
	if got, want := time.Duration(lab.Timeout), 10*time.Second; got != want {
		t.Errorf("timeout = %v; want %v", got, want)
	}
	if len(c.Prime) != 1 {
		t.Fatalf("len(Prime) = %d; want 1", len(c.Prime))
	}
	pi := c.Prime[0]
	if pi.Password.Value() != "prime-pass-0987" || pi.PageSize != 1000 || time.Duration(pi.Hold) != 1200*time.Millisecond ||
		time.Duration(pi.Timeout) != 300*time.Second || pi.Budget.Concurrency != 5 || pi.VirtualDomain != "NA-Campus" {
		t.Errorf("prime section = %+v; want the file's values and the defaults (piapi's, the hold longer)", pi)
	}
	if got := len(c.Sources()); got != 3 {
		t.Errorf("len(Sources()) = %d; want 3", got)
	}
	if got, want := lab.Enabled(), []string{"alarms", "bgp_peers", "clients", "devices", "mxedges", "ports", "sites", "sle", "tunnels", "usage", "vpn_peers"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Enabled() = %v; want %v", got, want)
	}
}

func TestLoadBad(t *testing.T) {
	for _, tc := range []struct {
		file string
		line int
		want string
	}{
		{"bad-unknown-key.yml", 4, `mist[0].colections: unknown field "colections"`},
		{"bad-duplicate-name.yml", 4, `mist[1].name: source name "acme" is already used by mist[0]`},
		{"bad-interval.yml", 6, "mist[0].collections.alarms.interval: interval 500ms is shorter than 1s"},
		{"bad-unknown-collection.yml", 5, `unknown collection "field_notices"`},
		{"bad-no-credentials.yml", 2, "needs credentials"},
		{"bad-cloud.yml", 4, `unknown Mist cloud "mars01"`},
		{"bad-duration.yml", 4, `invalid duration "soon"`},
		{"bad-secret-file.yml", 3, "mist[0].token_file: reading secret file"},
		{"bad-regex.yml", 5, "mist[0].sites.regex: invalid regex"},
		{"bad-yaml.yml", 3, "mapping values are not allowed"},
		{"bad-prime-page-size.yml", 6, "prime[0].page_size: page_size 5000 must be between 1 and 1000"},
		{"bad-prime-api-version.yml", 6, `prime[0].api_version: api_version "v5" must be one of v1, v2, v3 and v4`},
		{"bad-mist-console-url.yml", 5, "mist[0].console_url: must be an http or https URL such as https://manage.mist.com"},
		{"bad-mist-page-size.yml", 5, "mist[0].page_size: page_size 0 must be between 1 and 1000"},
		{"bad-name-across-vendors.yml", 5, `prime[0].name: source name "shared" is already used by mist[0]`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			file := filepath.Join("testdata", tc.file)
			_, err := Load(file)
			if err == nil {
				t.Fatalf("Load(%s) = nil; want an error", tc.file)
			}
			wantPrefix := fmt.Sprintf("%s:%d: ", file, tc.line)
			if !strings.HasPrefix(err.Error(), wantPrefix) {
				t.Errorf("Load(%s) = %q; want prefix %q", tc.file, err, wantPrefix)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load(%s) = %q; want it to contain %q", tc.file, err, tc.want)
			}
		})
	}
}

func TestEmptyFileIsValid(t *testing.T) {
	c, err := Parse(nil, "empty.yml")
	if err != nil || len(c.Sources()) != 0 {
		t.Fatalf("Parse(empty) = %v, %v; want an empty config", c, err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	c, err := Load("testdata/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"tok-from-file-0123456789", "hunter2-lab-password", "prime-pass-0987"}
	y, _ := yaml.Marshal(c)
	j, _ := json.Marshal(c)
	outputs := map[string]string{
		"yaml":  string(y),
		"json":  string(j),
		"%v":    fmt.Sprintf("%v", c.Mist),
		"%+v":   fmt.Sprintf("%+v", c.Mist),
		"%#v":   fmt.Sprintf("%#v", c.Mist),
		"%s":    fmt.Sprintf("%s", c.Mist[1].Password),
		"%q":    fmt.Sprintf("%q", c.Mist[1].Password),
		"error": (&Error{File: "x", Msg: fmt.Sprint(c.Mist[0].Token)}).Error(),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains a secret: %s", name, out)
			}
		}
	}
	if !strings.Contains(string(y), "<secret>") {
		t.Errorf("yaml output = %s; want <secret> in place of the password", y)
	}
}

func TestSafeConfigKeepsOldOnBadReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("mist:\n  - name: one\n    token: abc\n")
	sc := NewSafeConfig(file)
	if _, err := sc.Reload(nil); err != nil {
		t.Fatalf("first Reload() = %v", err)
	}
	ok, first := sc.LastReload()
	if !ok || first.IsZero() {
		t.Fatalf("LastReload() = %v, %v; want ok and a time", ok, first)
	}
	write("mist:\n  - name: one\n    tokn: abc\n")
	if _, err := sc.Reload(nil); err == nil || !strings.Contains(err.Error(), "c.yml:3:") {
		t.Fatalf("bad Reload() = %v; want an error at c.yml:3", err)
	}
	if got := sc.Get().Mist[0].Name; got != "one" {
		t.Errorf("config in force after a bad reload names %q; want the old one", got)
	}
	ok, last := sc.LastReload()
	if ok || !last.Equal(first) {
		t.Errorf("LastReload() = %v, %v; want false, %v", ok, last, first)
	}
}

func TestSecretFromEnvironment(t *testing.T) {
	const value = "nb-token-from-env-9f8e7d"
	t.Setenv("NMS_TEST_NAUTOBOT_TOKEN", value+"\n")
	t.Setenv("NMS_TEST_EMPTY", "")
	base := "nautobot:\n  - name: sot\n    base_url: https://nautobot.example.com\n"
	c := mustParse(t, base+"    token_env: NMS_TEST_NAUTOBOT_TOKEN\n", "env.yml")
	if got := c.Nautobot[0].Token.Value(); got != value {
		t.Errorf("token from token_env = %q; want %q", got, value)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"    token_env: NMS_TEST_EMPTY\n", "env.yml:4: nautobot[0].token_env: environment variable NMS_TEST_EMPTY is not set or empty"},
		{"    token_env: NMS_TEST_UNSET_VARIABLE\n", "environment variable NMS_TEST_UNSET_VARIABLE is not set or empty"},
		{"    token: inline\n    token_env: NMS_TEST_NAUTOBOT_TOKEN\n", "set one of token, token_file and token_env"},
	} {
		_, err := Parse([]byte(base+tc.yaml), "env.yml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error = %v; want it to contain %q", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), value) {
			t.Errorf("%q: the error shows the secret: %v", tc.yaml, err)
		}
	}
}
