package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// repo is the repository's root, seen from this package's folder.
const repo = ".."

// instruction is one Dockerfile instruction, its continuation lines joined.
type instruction struct {
	line  int               // where it starts
	cmd   string            // upper case: FROM, RUN, COPY, ...
	flags map[string]string // --from, --chown, ...
	args  []string          // shell words, or the JSON array's items
	raw   string            // the text after the keyword and flags
}

// stage is a FROM and the instructions after it.
type stage struct {
	from, name string
	ins        []instruction
}

// dockerfile is a parsed Dockerfile: the ARGs before the first FROM, then
// each stage.
type dockerfile struct {
	globalArgs map[string]string
	stages     []stage
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("os.ReadFile(%q) = %v; want nil", path, err)
	}
	return string(b)
}

// parseDockerfile reads the instructions Docker's parser reads: comment
// lines dropped, a trailing backslash joining the next line, flags before
// the arguments, and the JSON form of CMD and ENTRYPOINT.
func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	df := dockerfile{globalArgs: map[string]string{}}
	lines := strings.Split(readFile(t, path), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		text := strings.TrimSpace(lines[i])
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		for strings.HasSuffix(text, `\`) && i+1 < len(lines) {
			i++
			next := strings.TrimSpace(lines[i])
			if strings.HasPrefix(next, "#") {
				continue
			}
			text = strings.TrimSuffix(text, `\`) + " " + next
		}
		keyword, rest, _ := strings.Cut(text, " ")
		in := instruction{line: start, cmd: strings.ToUpper(keyword), flags: map[string]string{}}
		rest = strings.TrimSpace(rest)
		for strings.HasPrefix(rest, "--") {
			flag, after, _ := strings.Cut(rest, " ")
			name, value, _ := strings.Cut(strings.TrimPrefix(flag, "--"), "=")
			in.flags[name] = value
			rest = strings.TrimSpace(after)
		}
		in.raw = rest
		if strings.HasPrefix(rest, "[") && (in.cmd == "CMD" || in.cmd == "ENTRYPOINT") {
			if err := json.Unmarshal([]byte(rest), &in.args); err != nil {
				t.Fatalf("%s:%d: %s is not a JSON array of strings: %v", path, start, in.cmd, err)
			}
		} else {
			in.args = shellWords(t, rest)
		}
		switch {
		case in.cmd == "FROM":
			st := stage{from: in.args[0]}
			if len(in.args) == 3 && strings.EqualFold(in.args[1], "AS") {
				st.name = in.args[2]
			}
			df.stages = append(df.stages, st)
		case len(df.stages) == 0:
			if in.cmd != "ARG" {
				t.Fatalf("%s:%d: %s before the first FROM", path, start, in.cmd)
			}
			name, value, _ := strings.Cut(in.args[0], "=")
			df.globalArgs[name] = value
		default:
			last := &df.stages[len(df.stages)-1]
			last.ins = append(last.ins, in)
		}
	}
	if len(df.stages) == 0 {
		t.Fatalf("%s has no FROM", path)
	}
	return df
}

// shellWords splits s as a shell splits words, with single and double
// quotes and no expansion.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unterminated %c quote in %q", quote, s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// final is the stage the image is.
func (df dockerfile) final() stage { return df.stages[len(df.stages)-1] }

// stageNamed is the stage named name.
func (df dockerfile) stageNamed(t *testing.T, name string) stage {
	t.Helper()
	for _, st := range df.stages {
		if st.name == name {
			return st
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return stage{}
}

// all returns a stage's instructions of one kind.
func (st stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range st.ins {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// one returns a stage's only instruction of a kind.
func (st stage) one(t *testing.T, cmd string) instruction {
	t.Helper()
	all := st.all(cmd)
	if len(all) != 1 {
		t.Fatalf("stage %q has %d %s instructions; want 1", st.name, len(all), cmd)
	}
	return all[0]
}

// labels returns the stage's LABEL keys and values.
func (st stage) labels() map[string]string {
	out := map[string]string{}
	for _, in := range st.all("LABEL") {
		for _, kv := range in.args {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = v
		}
	}
	return out
}

// image is what the Dockerfile tells of the image it builds.
type image struct {
	df         dockerfile
	user       string
	port       string // the one EXPOSEd, without /tcp
	volume     string
	entrypoint []string
	cmd        []string
}

func loadImage(t *testing.T) image {
	t.Helper()
	df := parseDockerfile(t, filepath.Join(repo, "Dockerfile"))
	final := df.final()
	im := image{df: df, user: final.one(t, "USER").raw}
	expose := final.one(t, "EXPOSE").args
	if len(expose) != 1 {
		t.Fatalf("EXPOSE %v; want one port", expose)
	}
	im.port = strings.TrimSuffix(expose[0], "/tcp")
	vol := final.one(t, "VOLUME").args
	if len(vol) != 1 {
		t.Fatalf("VOLUME %v; want one folder", vol)
	}
	im.volume = vol[0]
	im.entrypoint = final.one(t, "ENTRYPOINT").args
	im.cmd = final.one(t, "CMD").args
	return im
}

// flagValue returns the value of --name=value in args, and whether it is there.
func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// defaultPort is the port the exporter listens on by default, from main.go.
func defaultPort(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`defaultAddress\s*=\s*":(\d+)"`).FindStringSubmatch(readFile(t, filepath.Join(repo, "main.go")))
	if m == nil {
		t.Fatal(`main.go has no defaultAddress = ":PORT"`)
	}
	return m[1]
}

// makefileLdflagKeys returns the version variables the Makefile's LDFLAGS set.
func makefileLdflagKeys(t *testing.T) []string {
	t.Helper()
	mk := readFile(t, filepath.Join(repo, "Makefile"))
	start := strings.Index(mk, "\nLDFLAGS")
	if start < 0 {
		t.Fatal("the Makefile has no LDFLAGS")
	}
	block := mk[start+1:]
	// The variable runs on while its lines end in a backslash.
	end := 0
	for _, l := range strings.SplitAfter(block, "\n") {
		end += len(l)
		if !strings.HasSuffix(strings.TrimRight(l, "\n"), `\`) {
			break
		}
	}
	var keys []string
	for _, m := range regexp.MustCompile(`-X (\S+)=`).FindAllStringSubmatch(block[:end], -1) {
		keys = append(keys, m[1])
	}
	return keys
}

// TestDockerfile checks the image's build: the version and revision reach
// the binary and the labels from build arguments, the binary is static,
// and the image runs unprivileged with a writable state volume that its
// default command uses.
func TestDockerfile(t *testing.T) {
	im := loadImage(t)
	df := im.df

	version := strings.TrimSpace(readFile(t, filepath.Join(repo, "VERSION")))
	if got := df.globalArgs["VERSION"]; got != version {
		t.Errorf("Dockerfile ARG VERSION=%q; want the VERSION file's %q (update it with the file)", got, version)
	}
	if _, ok := df.globalArgs["REVISION"]; !ok {
		t.Error("Dockerfile declares no ARG REVISION before its first FROM")
	}

	// A global ARG reaches a stage only when the stage declares it again.
	build := df.stageNamed(t, "build")
	for _, st := range []stage{build, df.final()} {
		var declared []string
		for _, in := range st.all("ARG") {
			declared = append(declared, in.args[0])
		}
		for _, arg := range []string{"VERSION", "REVISION"} {
			if !slices.Contains(declared, arg) {
				t.Errorf("stage %q does not declare ARG %s, so ${%s} is empty in it", st.name, arg, arg)
			}
		}
	}

	var goBuild *instruction
	for _, in := range build.all("RUN") {
		if strings.Contains(in.raw, "go build") {
			goBuild = &in
		}
	}
	if goBuild == nil {
		t.Fatal("the build stage runs no go build")
	}
	if !strings.Contains(goBuild.raw, "CGO_ENABLED=0") {
		t.Errorf("Dockerfile:%d: go build without CGO_ENABLED=0: a binary linked to libc does not run on scratch", goBuild.line)
	}
	// The Makefile's version variables, set from the build arguments.
	wantArg := map[string]string{"version.Version": "${VERSION}", "version.Revision": "${REVISION}"}
	keys := makefileLdflagKeys(t)
	for suffix, arg := range wantArg {
		i := slices.IndexFunc(keys, func(k string) bool { return strings.HasSuffix(k, suffix) })
		if i < 0 {
			t.Fatalf("the Makefile's LDFLAGS set no %s (have %v)", suffix, keys)
		}
		if want := "-X " + keys[i] + "=" + arg; !strings.Contains(goBuild.raw, want) {
			t.Errorf("Dockerfile:%d: go build's -ldflags lack %q", goBuild.line, want)
		}
	}

	if final := df.final(); final.from != "scratch" {
		t.Errorf("final stage FROM %s; want scratch", final.from)
	}
	labels := df.final().labels()
	for key, want := range map[string]string{
		"org.opencontainers.image.title":         "nms_exporter",
		"org.opencontainers.image.version":       "${VERSION}",
		"org.opencontainers.image.revision":      "${REVISION}",
		"org.opencontainers.image.source":        "https://github.com/nmsexporter/nms_exporter",
		"org.opencontainers.image.licenses":      nfpmField(t, "license"),
		"org.opencontainers.image.description":   "",
		"org.opencontainers.image.url":           "",
		"org.opencontainers.image.documentation": "",
	} {
		got, ok := labels[key]
		switch {
		case !ok || got == "":
			t.Errorf("image label %s missing or empty", key)
		case want != "" && got != want:
			t.Errorf("image label %s=%q; want %q", key, got, want)
		}
	}

	if im.user != "65534:65534" {
		t.Errorf("USER %s; want 65534:65534 (nobody)", im.user)
	}
	if want := defaultPort(t); im.port != want {
		t.Errorf("EXPOSE %s; want the exporter's default port %s", im.port, want)
	}
	if !slices.Equal(im.entrypoint, []string{"/bin/nms_exporter"}) {
		t.Errorf("ENTRYPOINT %v; want [/bin/nms_exporter]", im.entrypoint)
	}
	if got, _ := flagValue(im.cmd, "storage.path"); got != im.volume {
		t.Errorf("CMD %v stores state in %q; want the volume %s", im.cmd, got, im.volume)
	}
	if _, ok := flagValue(im.cmd, "config.file"); !ok {
		t.Errorf("CMD %v names no --config.file", im.cmd)
	}

	// What the final stage copies: the binary at the entrypoint, /tmp for
	// --demo, and the volume's folder owned by the image's user (a new named
	// volume takes the folder's owner, so the user can write it).
	copied := map[string]instruction{}
	for _, in := range df.final().all("COPY") {
		copied[in.args[len(in.args)-1]] = in
	}
	if _, ok := copied[im.entrypoint[0]]; !ok {
		t.Errorf("the final stage copies nothing to the entrypoint %s", im.entrypoint[0])
	}
	if _, ok := copied["/tmp"]; !ok {
		t.Error("the final stage makes no /tmp: --demo writes its config there")
	}
	switch in, ok := copied[im.volume]; {
	case !ok:
		t.Errorf("the final stage makes no %s: a new volume there would be root's", im.volume)
	case in.flags["chown"] != im.user:
		t.Errorf("Dockerfile:%d: %s copied with --chown=%q; want the image's user %s", in.line, im.volume, in.flags["chown"], im.user)
	}
}

// dockerRun is one `docker run` line of the README.
type dockerRun struct {
	text    string
	ports   map[string]string // container port: host port
	mounts  []mount
	image   string
	args    []string // after the image: these replace the image's CMD
	options []string // the other options before the image
}

type mount struct {
	source, target string
	readOnly       bool
	named          bool // a named volume, not a host folder
}

// readmeDockerLines returns the README's shell lines that start with cmd.
func readmeDockerLines(t *testing.T, cmd string) []string {
	t.Helper()
	var out []string
	inCode := false
	for _, l := range strings.Split(readFile(t, filepath.Join(repo, "README.md")), "\n") {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
			continue
		}
		if inCode && strings.HasPrefix(strings.TrimSpace(l), cmd+" ") {
			// A trailing comment is no part of the command.
			line, _, _ := strings.Cut(strings.TrimSpace(l), " #")
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

func parseDockerRun(t *testing.T, line string) dockerRun {
	t.Helper()
	words := shellWords(t, line)[2:]
	r := dockerRun{text: line, ports: map[string]string{}}
	withValue := map[string]bool{"-p": true, "--publish": true, "-v": true, "--volume": true, "--name": true, "-e": true, "--env": true}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			r.image, r.args = w, words[i+1:]
			break
		}
		name, value, hasValue := strings.Cut(w, "=")
		if withValue[name] && !hasValue {
			if i+1 == len(words) {
				t.Fatalf("%q: %s without a value", line, name)
			}
			i++
			value = words[i]
		}
		switch name {
		case "-p", "--publish":
			parts := strings.Split(value, ":")
			r.ports[strings.TrimSuffix(parts[len(parts)-1], "/tcp")] = parts[len(parts)-2]
		case "-v", "--volume":
			parts := strings.Split(value, ":")
			if len(parts) < 2 {
				t.Fatalf("%q: -v %s names no target", line, value)
			}
			m := mount{source: parts[0], target: parts[1], named: !strings.HasPrefix(parts[0], "/") && !strings.HasPrefix(parts[0], ".")}
			m.readOnly = len(parts) == 3 && slices.Contains(strings.Split(parts[2], ","), "ro")
			r.mounts = append(r.mounts, m)
		default:
			r.options = append(r.options, w)
		}
	}
	if r.image == "" {
		t.Fatalf("%q names no image", line)
	}
	return r
}

// effectiveArgs are the exporter's arguments: the line's own, which
// replace CMD, or CMD.
func (r dockerRun) effectiveArgs(im image) []string {
	if len(r.args) > 0 {
		return r.args
	}
	return im.cmd
}

// mountAt returns the mount holding path, the deepest one.
func (r dockerRun) mountAt(path string) (mount, bool) {
	var best mount
	found := false
	for _, m := range r.mounts {
		if within(path, m.target) && (!found || len(m.target) > len(best.target)) {
			best, found = m, true
		}
	}
	return best, found
}

// TestReadmeDockerRun checks the README's docker lines against the
// Dockerfile: the image built is the one run, the published port is the
// exposed one, the config lies in a mount, and the state goes to a folder
// the image's user can write (the state volume or the demo's temporary
// folder), never into a read-only mount.
func TestReadmeDockerRun(t *testing.T) {
	im := loadImage(t)
	builds := readmeDockerLines(t, "docker build")
	if len(builds) == 0 {
		t.Fatal("the README has no docker build line")
	}
	tag := builtTag(t, builds[0])
	runs := readmeDockerLines(t, "docker run")
	var sawConfig, sawDemo bool
	for _, line := range runs {
		r := parseDockerRun(t, line)
		t.Run(line, func(t *testing.T) {
			if r.image != tag {
				t.Errorf("runs image %q; the README builds %q", r.image, tag)
			}
			if _, ok := r.ports[im.port]; !ok || len(r.ports) != 1 {
				t.Errorf("publishes container ports %v; want the exposed %s", r.ports, im.port)
			}
			args := r.effectiveArgs(im)
			if _, ok := flagValue(args, "web.listen-address"); ok {
				t.Errorf("args %v move the listen address off the exposed port %s", args, im.port)
			}
			storage, hasStorage := flagValue(args, "storage.path")
			if slices.Contains(args, "--demo") {
				sawDemo = true
				if !hasStorage {
					// --demo writes its config into a new folder in /tmp, and the
					// state beside it: the image's /tmp is writable by all.
					return
				}
			} else {
				sawConfig = true
				config, ok := flagValue(args, "config.file")
				if !ok {
					t.Fatalf("args %v name no --config.file", args)
				}
				if _, ok := r.mountAt(config); !ok {
					t.Errorf("the config %s is in no mount: the image holds none", config)
				}
				if !hasStorage {
					storage = filepath.Join(filepath.Dir(config), "nms_exporter-state")
				}
				if m, ok := r.mountAt(im.volume); !ok || m.readOnly {
					t.Errorf("mounts nothing writable at the state volume %s: the saved state goes with the container", im.volume)
				}
			}
			switch m, ok := r.mountAt(storage); {
			case ok && m.readOnly:
				t.Errorf("state in %s, inside the read-only mount of %s: every save fails", storage, m.target)
			case !ok && !within(storage, im.volume):
				t.Errorf("state in %s, neither in a mount nor in the volume %s", storage, im.volume)
			}
		})
	}
	if !sawConfig || !sawDemo {
		t.Errorf("the README's docker run lines %q: want one with a config and one with --demo", runs)
	}
}

// builtTag is the image name a docker build line tags, without a version.
func builtTag(t *testing.T, line string) string {
	t.Helper()
	words := shellWords(t, line)
	for i, w := range words {
		if (w == "-t" || w == "--tag") && i+1 < len(words) {
			name, _, _ := strings.Cut(words[i+1], ":")
			return name
		}
	}
	t.Fatalf("%q tags no image (-t)", line)
	return ""
}
