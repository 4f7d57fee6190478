package exposition

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/internal/testtool"

	"github.com/nmsexporter/nms_exporter/internal/scrapetest"
)

func TestCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	text := make([]byte, 1<<20)
	for i := range text {
		text[i] = byte(r.IntN(256))
	}
	for _, cut := range []int{0, 1, 7, 1000, 65536, 1<<20 - 1, 1 << 20} {
		for _, end := range []int{cut, cut + (1<<20-cut)/2, 1 << 20} {
			a, b := text[:cut], text[cut:end]
			got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
			if want := crc32.ChecksumIEEE(text[:end]); got != want {
				t.Errorf("crc32Combine of %d and %d bytes = %08x; want %08x", len(a), len(b), got, want)
			}
		}
	}
}

// member is a health head and data text as /probe joins them.
func member(t *testing.T, head, text string) []byte {
	t.Helper()
	data, err := Deflate(func(w io.Writer) error { _, err := io.WriteString(w, text); return err }, 0)
	if err != nil {
		t.Fatal(err)
	}
	if data.size != int64(len(text)) || data.crc != crc32.ChecksumIEEE([]byte(text)) {
		t.Fatalf("deflate kept size %d, crc %08x; want %d, %08x", data.size, data.crc, len(text), crc32.ChecksumIEEE([]byte(text)))
	}
	h, err := NewHead([]byte(head))
	if err != nil {
		t.Fatal(err)
	}
	parts := GzipMember(h, data)
	if &parts[0][0] != &h.gzip[0] || &parts[1][0] != &data.z[0] {
		t.Error("a kept part was copied; want the kept bytes written as they are")
	}
	return bytes.Join(parts[:], nil)
}

// sampleText is exposition-like text of about n bytes, repetitive enough
// for back-references, as the data is.
func sampleText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "nms_device_info{device=\"ap-%d\",site=\"site-%d\"} 1\n", i, i%97)
	}
	return b.String()
}

// TestGzipIsOneMember reads the compressed answer as a decoder that
// stops after the first member would: it must hold the whole text.
func TestGzipIsOneMember(t *testing.T) {
	for _, tc := range []struct{ name, head, text string }{
		{"small", "# HELP up Up.\nup 1\n", "nms_x 1\n"},
		{"empty head", "", sampleText(1000)},
		{"empty data", "nms_source_up 1\n", ""},
		{"large", sampleText(100 << 10), sampleText(3 << 20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gz := member(t, tc.head, tc.text)
			got, err := scrapetest.OneMember(gz)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.head+tc.text {
				t.Errorf("the first member holds %d bytes; want the whole %d", len(got), len(tc.head+tc.text))
			}
			pythonGunzip(t, gz, tc.head+tc.text)
		})
	}
}

// pythonGunzip decodes gz with Python's zlib (wbits=31: one gzip member,
// as curl and browsers read it) and requires want, all of the input used.
func pythonGunzip(t *testing.T, gz []byte, want string) {
	t.Helper()
	python := testtool.Path(t, "python3", "Debian's python3 package")
	const script = `import sys, zlib
d = zlib.decompressobj(wbits=31)
out = d.decompress(sys.stdin.buffer.read())
if not d.eof or d.unused_data:
    sys.exit("decoded %d bytes, eof %s, %d bytes after the member" % (len(out), d.eof, len(d.unused_data)))
sys.stdout.buffer.write(out)`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = bytes.NewReader(gz)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python zlib: %v: %s", err, stderr.String())
	}
	if string(out) != want {
		t.Errorf("python zlib decoded %d bytes; want %d", len(out), len(want))
	}
}
