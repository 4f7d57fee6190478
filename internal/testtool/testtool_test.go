package testtool

import (
	"testing"
)

// recorder is a testing.TB that notes how a test ended.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = true
	r.msg = format
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = format
}

func TestMissingProgramSkipsOutsideCIAndFailsInIt(t *testing.T) {
	const missing = "nms-exporter-no-such-program"
	t.Setenv("CI", "")
	r := &recorder{TB: t}
	Path(r, missing, "nothing")
	if !r.skipped || r.failed {
		t.Errorf("outside CI: skipped %v, failed %v; want a skip", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	Path(r, missing, "nothing")
	if r.skipped || !r.failed {
		t.Errorf("in CI: skipped %v, failed %v; want a failure", r.skipped, r.failed)
	}
	if got := Path(t, "sh", "a shell"); got == "" {
		t.Errorf("Path(sh) = %q; want its path", got)
	}
}
