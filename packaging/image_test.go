package packaging

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/internal/testtool"
)

// The image can't be built here (no Docker engine), so TestImageRuns builds
// its file system as the Dockerfile says: the build stage's RUN lines run
// here with /out moved into a temporary folder, and the final stage's COPY
// lines applied as BuildKit applies them (a copied folder's contents go into
// the target, which takes the folder's mode; the owner is root unless
// --chown). The exporter then runs
// chrooted into it as the image's USER, with its ENTRYPOINT and CMD, the
// way each of the README's docker run lines runs it.

// buildRoot is where the build stage's /out lands on this machine.
type buildRoot struct{ dir string }

// path maps a path of the build stage to this machine.
func (b buildRoot) path(t *testing.T, p string) string {
	t.Helper()
	if rel, ok := strings.CutPrefix(p, "/out/"); ok {
		return filepath.Join(b.dir, "out", rel)
	}
	// The golang image's CA bundle, from Debian's ca-certificates, as here.
	if p == "/etc/ssl/certs/ca-certificates.crt" {
		return p
	}
	t.Fatalf("the Dockerfile copies %s from the build stage: teach TestImageRuns how to make it", p)
	return ""
}

// buildStage runs the build stage's RUN lines in the repository (the
// build context) with /out moved into a temporary folder and the ARGs'
// defaults in the environment, but for go mod download: the module cache
// is this machine's.
func buildStage(t *testing.T, df dockerfile) buildRoot {
	t.Helper()
	b := buildRoot{dir: t.TempDir()}
	env := os.Environ()
	for k, v := range df.globalArgs {
		env = append(env, k+"="+v)
	}
	for _, in := range df.stageNamed(t, "build").all("RUN") {
		if strings.HasPrefix(in.raw, "go mod download") {
			continue
		}
		script := strings.ReplaceAll(in.raw, "/out", filepath.Join(b.dir, "out"))
		cmd := exec.Command("sh", "-ec", script)
		cmd.Dir, cmd.Env = repo, env
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("Dockerfile:%d: RUN %s: %v\n%s", in.line, script, err, o)
		}
	}
	return b
}

// rootfs lays out the final stage's files in a new folder.
func rootfs(t *testing.T, df dockerfile, b buildRoot) string {
	t.Helper()
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, in := range df.final().all("COPY") {
		if in.flags["from"] != "build" || len(in.args) != 2 {
			t.Fatalf("Dockerfile:%d: COPY %s: TestImageRuns copies one path from the build stage", in.line, in.raw)
		}
		uid, gid := 0, 0
		if c := in.flags["chown"]; c != "" {
			u, g, _ := strings.Cut(c, ":")
			var err1, err2 error
			uid, err1 = strconv.Atoi(u)
			gid, err2 = strconv.Atoi(g)
			if err1 != nil || err2 != nil {
				t.Fatalf("Dockerfile:%d: --chown=%s: want numeric uid:gid (scratch has no /etc/passwd)", in.line, c)
			}
		}
		src, dst := b.path(t, in.args[0]), filepath.Join(root, in.args[1])
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		copyTree(t, src, dst, uid, gid)
	}
	return root
}

// copyTree copies src to dst with src's modes and the given owner.
func copyTree(t *testing.T, src, dst string, uid, gid int) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			if err := os.MkdirAll(to, 0o700); err != nil {
				return err
			}
		} else {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(to, b, 0o600); err != nil {
				return err
			}
		}
		if err := os.Lchown(to, uid, gid); err != nil {
			return err
		}
		// Chmod after chown, which clears the sticky and set-id bits.
		return os.Chmod(to, fi.Mode().Perm()|fi.Mode()&(fs.ModeSticky|fs.ModeSetuid|fs.ModeSetgid))
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

// container is one run of the image's entrypoint in its file system.
type container struct {
	root, addr string
	cmd        *exec.Cmd
	out        *testtool.Buffer
	done       chan struct{} // closed when the exporter has exited
	err        error         // its exit, once done
}

// run starts the entrypoint with args in root as the image's user, on a
// loopback port of this machine in place of the container's own.
func run(t *testing.T, im image, root string, args []string) *container {
	t.Helper()
	uid, gid := ids(t, im.user)
	port := freePort(t)
	c := &container{root: root, addr: "127.0.0.1:" + port, out: &testtool.Buffer{}, done: make(chan struct{})}
	argv := append(slices.Clone(im.entrypoint[1:]), args...)
	argv = append(argv, "--web.listen-address="+c.addr)
	c.cmd = exec.Command(im.entrypoint[0], argv...)
	c.cmd.Dir = "/"
	c.cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{
		Chroot:     root,
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}},
		Pdeathsig:  syscall.SIGKILL,
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting %s %v chrooted to the image: %v", im.entrypoint[0], argv, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// get fetches a path, waiting up to a minute for a 200.
func (c *container) get(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			t.Fatalf("GET %s: the exporter exited: %v\n%s", path, c.err, c.out.String())
		default:
		}
		resp, err := http.Get("http://" + c.addr + path)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b)
			}
			last = fmt.Sprintf("%s: %s", resp.Status, b)
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s: %s\nthe exporter's output:\n%s", path, last, c.out.String())
	return ""
}

// stop ends the exporter as docker stop does, and wants a clean exit.
func (c *container) stop(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		if c.err != nil {
			t.Errorf("the exporter exited with %v on SIGTERM; want 0\n%s", c.err, c.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the exporter did not exit within 30s of SIGTERM\n%s", c.out.String())
	}
}

func ids(t *testing.T, user string) (int, int) {
	t.Helper()
	u, g, _ := strings.Cut(user, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err1 != nil || err2 != nil {
		t.Fatalf("USER %s: want numeric uid:gid", user)
	}
	return uid, gid
}

func freePort(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// applyMounts makes what each of a docker run line's mounts shows the
// container: a named volume starts as the image's folder; a host folder is
// the admin's, root's, holding an empty config where the line reads one,
// and read-only to the image's user when mounted :ro.
func applyMounts(t *testing.T, root string, r dockerRun, args []string) {
	t.Helper()
	config, hasConfig := flagValue(args, "config.file")
	for _, m := range r.mounts {
		if m.named {
			continue
		}
		dir := filepath.Join(root, m.target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o777)
		if m.readOnly {
			mode = 0o555
		}
		if hasConfig && within(config, m.target) {
			if err := os.WriteFile(filepath.Join(root, config), []byte("# no sources yet\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImageRuns runs the image as each README docker run line does, and the
// image's own command with --demo, and checks the exporter serves as the
// image's user; the last also that it saves its state in the volume.
func TestImageRuns(t *testing.T) {
	if os.Geteuid() != 0 {
		if testtool.InCI() {
			t.Fatal("TestImageRuns chroots into the image's files as its user, which needs root; CI runs as root")
		}
		t.Skip("TestImageRuns chroots into the image's files as its user, which needs root: run as root, or under CI=true to make this a failure")
	}
	im := loadImage(t)
	b := buildStage(t, im.df)
	var lines []dockerRun
	for _, l := range readmeDockerLines(t, "docker run") {
		lines = append(lines, parseDockerRun(t, l))
	}
	// The image's own command, with --demo for sources that save state.
	lines = append(lines, dockerRun{text: "CMD --demo", args: append(slices.Clone(im.cmd), "--demo"),
		mounts: []mount{{source: "state", target: im.volume, named: true}}})
	for _, r := range lines {
		t.Run(r.text, func(t *testing.T) {
			root := rootfs(t, im.df, b)
			args := r.effectiveArgs(im)
			applyMounts(t, root, r, args)
			c := run(t, im, root, args)
			c.get(t, "/-/healthy")
			want := fmt.Sprintf("version=%q", im.df.globalArgs["VERSION"])
			if m := c.get(t, "/metrics"); !strings.Contains(m, want) {
				t.Errorf("/metrics has no build info with %s: the build's -ldflags missed it", want)
			}
			if slices.Contains(args, "--demo") {
				c.get(t, "/-/ready")
				sd := c.get(t, "/sd")
				if !strings.Contains(sd, "demo-mist-1") {
					t.Errorf("/sd lists no demo source: %s", sd)
				}
				if probe := c.get(t, "/probe?target=demo-mist-1"); !strings.Contains(probe, "\nnms_source_up 1\n") {
					t.Errorf("/probe?target=demo-mist-1 has no nms_source_up 1:\n%.2000s", probe)
				}
			}
			if storage, ok := flagValue(args, "storage.path"); ok && slices.Contains(args, "--demo") {
				uid, _ := ids(t, im.user)
				saved := savedFiles(t, c, filepath.Join(root, storage), uid)
				if len(saved) == 0 {
					t.Errorf("nothing saved in %s after the first refresh\n%s", storage, c.out.String())
				}
			}
			c.stop(t)
			if strings.Contains(c.out.String(), "saving state") {
				t.Errorf("the exporter failed to save its state:\n%s", c.out.String())
			}
		})
	}
}

// savedFiles waits up to a minute for the state files in dir, or a failed
// save, and returns them; each must be the image user's.
func savedFiles(t *testing.T, c *container, dir string, uid int) []string {
	t.Helper()
	var files []string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files = files[:0]
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				files = append(files, p)
			}
			return nil
		})
		if len(files) > 0 || strings.Contains(c.out.String(), "saving state") {
			break
		}
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
			t.Errorf("%s is owned by uid %d; want the image's user %d", f, st.Uid, uid)
		}
	}
	return files
}
