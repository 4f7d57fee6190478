package collector

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func sdManager(t *testing.T) *Manager {
	t.Helper()
	m := NewManager(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	m.running["a"] = &running{src: fakeSource("a", &Collection{Name: "devices", Interval: time.Minute,
		Fetch: func(context.Context) (any, int, error) { return 1, 1, nil }})}
	return m
}

// TestSDAdvertisesOnlyAValidAddress: the targets /sd lists come from
// --web.external-url when set, else from the request's Host only when it is
// a host:port; a Host header with anything else is refused, not copied into
// Prometheus' targets. Over TLS the scheme is https.
func TestSDAdvertisesOnlyAValidAddress(t *testing.T) {
	m := sdManager(t)
	get := func(h http.Handler, host string, tlsOn bool) (int, []targetGroup) {
		req := httptest.NewRequest(http.MethodGet, "/sd", nil)
		req.Host = host
		if tlsOn {
			req.TLS = &tls.ConnectionState{}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var groups []targetGroup
		_ = json.Unmarshal(rec.Body.Bytes(), &groups)
		return rec.Code, groups
	}
	plain := SDHandler(m, nil)
	code, groups := get(plain, "exporter.example:9877", false)
	if code != http.StatusOK || len(groups) != 1 || groups[0].Targets[0] != "exporter.example:9877" ||
		groups[0].Labels["__scheme__"] != "http" || groups[0].Labels["__metrics_path__"] != "/probe" {
		t.Errorf("plain /sd = %d %+v", code, groups)
	}
	if _, groups := get(plain, "exporter.example:9877", true); len(groups) != 1 || groups[0].Labels["__scheme__"] != "https" {
		t.Errorf("/sd over TLS = %+v; want __scheme__ https", groups)
	}
	for _, host := range []string{"evil/path", "a@b:1", "x:99999", `x"y`, "", "h:1 extra"} {
		if code, groups := get(plain, host, false); code != http.StatusBadRequest || len(groups) != 0 {
			t.Errorf("Host %q: /sd = %d %+v; want 400", host, code, groups)
		}
	}
	ext, _ := url.Parse("https://metrics.example/nms/")
	code, groups = get(SDHandler(m, ext), "evil/path", false)
	if code != http.StatusOK || len(groups) != 1 || groups[0].Targets[0] != "metrics.example" ||
		groups[0].Labels["__scheme__"] != "https" || groups[0].Labels["__metrics_path__"] != "/nms/probe" {
		t.Errorf("/sd with an external URL = %d %+v", code, groups)
	}
}

// TestProbeTakesGetAndHeadOnly: a scrape is a GET (or HEAD); anything else
// is refused with 405 and the methods it takes.
func TestProbeTakesGetAndHeadOnly(t *testing.T) {
	h := ProbeHandler(sdManager(t), slog.New(slog.DiscardHandler))
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/probe?target=a", strings.NewReader("x")))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /probe = %d, Allow %q; want 405 with GET, HEAD", method, rec.Code, rec.Header().Get("Allow"))
		}
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/probe?target=a", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s /probe = %d; want 200", method, rec.Code)
		}
	}
}
