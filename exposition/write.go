package exposition

import (
	"net/http"
	"strconv"

	"github.com/prometheus/common/expfmt"
)

// Write answers a scrape with the health h and the data, in the content
// type ct, gzipped as one member when the request's Accept-Encoding takes
// gzip, plain otherwise; either way with its Content-Length.
func Write(w http.ResponseWriter, req http.Header, ct expfmt.Format, h *Head, data *Deflated) {
	hdr := w.Header()
	hdr.Set("Content-Type", string(ct))
	hdr.Set("Vary", "Accept, Accept-Encoding")
	if !AcceptsGzip(req) {
		hdr.Set("Content-Length", strconv.FormatInt(int64(len(h.Text()))+data.Size(), 10))
		if _, err := w.Write(h.Text()); err == nil {
			_ = data.InflateTo(w)
		}
		return
	}
	parts := GzipMember(h, data)
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	hdr.Set("Content-Encoding", "gzip")
	hdr.Set("Content-Length", strconv.Itoa(n))
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
}
