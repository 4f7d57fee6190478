package bridge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/nmsexporter/nms_exporter/collector"
)

// MaxWebhookBytes caps a webhook body: Mist's largest are a few KiB.
const MaxWebhookBytes = 1 << 20

// WebhookHandler serves POST /webhooks/<vendor>: it verifies the body's
// HMAC-SHA256 signature (X-Mist-Signature-v2, hex) against the secret of
// each source of that vendor that has one, before reading any JSON, and
// feeds the matching source's alarms at once. notify, when set, is told of
// every accepted webhook.
func WebhookHandler(vendor string, sources func() []*collector.Source, metrics *Metrics, notify func(), logger *slog.Logger) http.Handler {
	logger = logger.With("component", "webhook", "vendor", vendor)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		count := func(source, result string) { metrics.Webhooks.WithLabelValues(source, result).Inc() }
		if r.Method != http.MethodPost {
			count("", "method")
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhooks take POST", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			count("", "too_large")
			http.Error(w, "webhook body over 1 MiB", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			count("", "malformed")
			http.Error(w, "reading the webhook body failed", http.StatusBadRequest)
			return
		}
		sig := strings.TrimSpace(r.Header.Get("X-Mist-Signature-v2"))
		if sig == "" {
			count("", "unsigned")
			http.Error(w, "missing X-Mist-Signature-v2", http.StatusUnauthorized)
			return
		}
		src := signedBy(vendor, sources(), body, sig)
		if src == nil {
			count("", "bad_signature")
			logger.Warn("webhook with a signature no source's secret makes", "remote", r.RemoteAddr)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		res, err := src.AcceptWebhook(r.Context(), body)
		if err != nil {
			count(src.Name, "malformed")
			logger.Warn("webhook refused", "target", src.Name, "err", err)
			http.Error(w, "malformed webhook: "+err.Error(), http.StatusBadRequest)
			return
		}
		count(src.Name, "accepted")
		if res.Filtered > 0 {
			metrics.WebhookFiltered.WithLabelValues(src.Name).Add(float64(res.Filtered))
		}
		for reason, n := range res.Dropped {
			metrics.WebhookDropped.WithLabelValues(src.Name, reason).Add(float64(n))
		}
		if n := res.Dropped[collector.DropStale] + res.Dropped[collector.DropFuture]; n > 0 {
			// A replay, a late delivery, or a clock off by minutes.
			logger.Warn("webhook alarm events dated outside the window dropped", "target", src.Name,
				"stale", res.Dropped[collector.DropStale], "future", res.Dropped[collector.DropFuture])
		}
		logger.Debug("webhook accepted", "target", src.Name, "events", res.Events, "filtered", res.Filtered,
			"duplicate", res.Dropped[collector.DropDuplicate])
		if notify != nil {
			notify()
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// signedBy returns the source whose secret signs body as sig, comparing in
// constant time.
func signedBy(vendor string, sources []*collector.Source, body []byte, sig string) *collector.Source {
	got, err := hex.DecodeString(strings.ToLower(sig))
	if err != nil {
		return nil
	}
	for _, s := range sources {
		if s.Vendor != vendor || s.WebhookSecret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(s.WebhookSecret))
		mac.Write(body)
		if hmac.Equal(mac.Sum(nil), got) {
			return s
		}
	}
	return nil
}
