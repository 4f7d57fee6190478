package packaging

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/nmsexporter/nms_exporter/config"
)

// nfpmConfig is the part of nfpm.yaml the tests read.
type nfpmConfig struct {
	Name     string `yaml:"name"`
	License  string `yaml:"license"`
	Contents []struct {
		Src      string `yaml:"src"`
		Dst      string `yaml:"dst"`
		Type     string `yaml:"type"`
		FileInfo struct {
			Mode  int    `yaml:"mode"`
			Owner string `yaml:"owner"`
			Group string `yaml:"group"`
		} `yaml:"file_info"`
	} `yaml:"contents"`
	Scripts map[string]string `yaml:"scripts"`
}

func loadNfpm(t *testing.T) nfpmConfig {
	t.Helper()
	var c nfpmConfig
	if err := yaml.Unmarshal([]byte(readFile(t, "nfpm.yaml")), &c); err != nil {
		t.Fatalf("yaml.Unmarshal(nfpm.yaml) = %v; want nil", err)
	}
	return c
}

func nfpmField(t *testing.T, name string) string {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(readFile(t, "nfpm.yaml")), &m); err != nil {
		t.Fatalf("yaml.Unmarshal(nfpm.yaml) = %v; want nil", err)
	}
	s, _ := m[name].(string)
	return s
}

// unit returns the systemd unit's [Service] settings, each key's values in
// order.
func unit(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	section := ""
	for _, l := range strings.Split(readFile(t, "nms_exporter.service"), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = l
		case section == "[Service]":
			k, v, _ := strings.Cut(l, "=")
			out[k] = append(out[k], v)
		}
	}
	return out
}

// TestUnitMatchesPackage checks the unit against what the package installs
// and makes: the binary it runs, the config and defaults files it reads,
// the user it runs as, and the state folder systemd makes for it.
func TestUnitMatchesPackage(t *testing.T) {
	pkg := loadNfpm(t)
	u := unit(t)
	dst := map[string]string{} // source file: where the package puts it
	types := map[string]string{}
	for _, c := range pkg.Contents {
		dst[c.Src] = c.Dst
		types[c.Dst] = c.Type
	}
	one := func(key string) string {
		t.Helper()
		if len(u[key]) != 1 {
			t.Fatalf("the unit sets %s %d times; want once", key, len(u[key]))
		}
		return u[key][0]
	}

	exec := strings.Fields(one("ExecStart"))
	if exec[0] != dst["${BINARY}"] {
		t.Errorf("ExecStart runs %s; the package installs the binary at %s", exec[0], dst["${BINARY}"])
	}
	if got := dst["./packaging/nms_exporter.service"]; got != "/usr/lib/systemd/system/nms_exporter.service" {
		t.Errorf("the package installs the unit at %q; want /usr/lib/systemd/system/nms_exporter.service", got)
	}
	configFile, _ := flagValue(exec, "config.file")
	if want := dst["./packaging/nms_exporter.yml"]; configFile != want {
		t.Errorf("ExecStart reads --config.file=%s; the package installs the config at %s", configFile, want)
	}
	storage, _ := flagValue(exec, "storage.path")
	if want := "/var/lib/" + one("StateDirectory"); storage != want {
		t.Errorf("ExecStart keeps state in --storage.path=%s; StateDirectory= makes %s", storage, want)
	}
	env := strings.TrimPrefix(one("EnvironmentFile"), "-")
	if want := dst["./packaging/default"]; env != want {
		t.Errorf("EnvironmentFile=%s; the package installs the defaults file at %s", env, want)
	}
	for _, f := range []string{configFile, env} {
		if types[f] != "config|noreplace" {
			t.Errorf("%s has type %q in nfpm.yaml; want config|noreplace, so that an upgrade keeps the admin's edits", f, types[f])
		}
	}
	// The defaults file's variable is the one ExecStart expands.
	m := regexp.MustCompile(`(?m)^([A-Z_]+)=`).FindStringSubmatch(readFile(t, "default"))
	if m == nil || !slices.Contains(exec, "$"+m[1]) {
		t.Errorf("ExecStart %v does not expand the variable the defaults file sets (%v)", exec, m)
	}
	if got := one("ExecReload"); got != "/bin/kill -HUP $MAINPID" {
		t.Errorf("ExecReload=%s; want /bin/kill -HUP $MAINPID, the exporter's reload signal", got)
	}

	// The user the unit runs as is the one preinstall makes, and owns the config's group.
	user := one("User")
	pre := readFile(t, filepath.Join(repo, pkg.Scripts["preinstall"]))
	if !strings.Contains(pre, "useradd --system") || !strings.HasSuffix(strings.TrimSpace(pre), " "+user+"\nfi") {
		t.Errorf("preinstall does not make the system user %s the unit runs as", user)
	}
	for _, c := range pkg.Contents {
		if strings.HasPrefix(c.Dst, "/etc/nms_exporter") && c.FileInfo.Group != one("Group") {
			t.Errorf("%s has group %q; want the service's %s, which reads it", c.Dst, c.FileInfo.Group, one("Group"))
		}
	}
	for _, script := range []string{"preinstall", "postinstall", "preremove", "postremove"} {
		path := filepath.Join(repo, pkg.Scripts[script])
		if fi, err := os.Stat(path); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s script %s: missing or not executable (%v)", script, path, err)
		}
	}
}

// TestUnitHardening checks the sandbox the unit runs the exporter in: no
// privilege, a read-only system, only the network families it needs.
func TestUnitHardening(t *testing.T) {
	u := unit(t)
	for key, want := range map[string]string{
		"NoNewPrivileges":         "yes",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectControlGroups":    "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"RestrictNamespaces":      "yes",
		"RestrictSUIDSGID":        "yes",
		"LockPersonality":         "yes",
		"MemoryDenyWriteExecute":  "yes",
		"SystemCallArchitectures": "native",
		"SystemCallFilter":        "@system-service",
		"SystemCallFilter(deny)":  "~@privileged",
	} {
		k := strings.TrimSuffix(key, "(deny)")
		got := u[k]
		if !slices.Contains(got, want) {
			t.Errorf("%s=%v; want %q among them", k, got, want)
		}
	}
}

// TestExampleConfig checks the packaged config: valid as shipped (every
// source commented out), and valid once its example is uncommented, given
// the secret files it names.
func TestExampleConfig(t *testing.T) {
	shipped := readFile(t, "nms_exporter.yml")
	if _, err := config.Parse([]byte(shipped), "nms_exporter.yml"); err != nil {
		t.Fatalf("the shipped config: %v; want valid", err)
	}

	// Uncomment from the first vendor key on, as a user would.
	var b strings.Builder
	started := false
	for _, l := range strings.Split(shipped, "\n") {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "#"), " ")
		if !started && slices.Contains(config.Vendors(), strings.TrimSuffix(l, ":")) {
			started = true
		}
		if started {
			b.WriteString(l + "\n")
		}
	}
	if !started {
		t.Fatal("the shipped config has no commented vendor section")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "nms_exporter.yml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`_file: (\S+)`).FindAllStringSubmatch(b.String(), -1) {
		if err := os.WriteFile(filepath.Join(dir, m[1]), []byte("example-secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatalf("the example, uncommented:\n%s\n%v; want valid", b.String(), err)
	}
	var vendors []string
	for _, s := range cfg.Sources() {
		vendors = append(vendors, s.VendorName())
	}
	for _, v := range config.Vendors() {
		if !slices.Contains(vendors, v) {
			t.Errorf("the example has no %s source; want one of each vendor", v)
		}
	}
}
