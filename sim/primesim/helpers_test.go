package primesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit/simtest"
)

// testStart is a fixed instant between two ClientCounts samples.
var testStart = time.Date(2026, 11, 23, 17, 28, 2, 0, time.UTC)

type harness struct {
	*simtest.Harness[*Server, Credentials]
}

type result = simtest.Result

// newHarness serves a simulator on loopback with a fixed clock; requests
// carry basic auth and keep the session cookie, as a well-behaved client
// does.
func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	h := &harness{Harness: simtest.NewHarness(t, testStart, &o, &o.Now, New)}
	h.C.BaseURL = h.TS.URL
	jar, _ := cookiejar.New(nil)
	h.Client = &http.Client{Jar: jar, Timeout: 20 * time.Second}
	h.Auth = func(r *http.Request) { r.SetBasicAuth(h.C.Username, h.C.Password) }
	return h
}

// relaxed lifts the rate and concurrency limits for tests about data,
// where a frozen clock would otherwise hit the rate limit.
func relaxed(o Options) Options {
	o.RateLimit, o.MaxConcurrent = -1, -1
	return o
}

// do sends req with the harness's basic auth (unless noAuth) through
// client (nil: the harness's cookie-keeping client).
func (h *harness) do(req *http.Request, client *http.Client, noAuth bool) result {
	h.T.Helper()
	if !noAuth {
		req.SetBasicAuth(h.C.Username, h.C.Password)
	}
	if client == nil {
		client = h.Client
	}
	st, header, b := simtest.Do(h.T, client, req)
	return result{Status: st, Header: header, Body: b}
}

func (h *harness) newReq(method, path string) *http.Request {
	h.T.Helper()
	req, err := http.NewRequest(method, h.C.BaseURL+path, nil)
	if err != nil {
		h.T.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	return req
}

// data is the path of a resource list with a query; spaces in the query
// are sent percent-encoded, as clients do.
func data(resource, query string) string {
	p := dataPrefix + resource + ".json"
	if query != "" {
		p += "?" + strings.ReplaceAll(query, " ", "%20")
	}
	return p
}

// dataAt is dataPath at an API version.
func dataAt(version, resource, query string) string {
	return strings.Replace(data(resource, query), "/v4/", "/"+version+"/", 1)
}

// serveDirect answers path without a network, for byte comparisons
// between servers (the Host is the same for both).
func serveDirect(t *testing.T, s *Server, path string) []byte {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	c := s.Credentials()
	req.SetBasicAuth(c.Username, c.Password)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

type envelope[T any] struct {
	QueryResponse struct {
		Last         int         `json:"@last"`
		First        int         `json:"@first"`
		Count        int         `json:"@count"`
		Type         string      `json:"@type"`
		Domain       string      `json:"@domain"`
		RequestURL   string      `json:"@requestUrl"`
		ResponseType string      `json:"@responseType"`
		RootURL      string      `json:"@rootUrl"`
		Entity       []entity[T] `json:"entity"`
		EntityID     []struct {
			ID  string `json:"$"`
			URL string `json:"@url"`
		} `json:"entityId"`
	} `json:"queryResponse"`
}

type entity[T any] struct {
	DTOType string `json:"@dtoType"`
	Type    string `json:"@type"`
	URL     string `json:"@url"`
	AP      *T     `json:"accessPointDetailsDTO"`
	Device  *T     `json:"devicesDTO"`
	CC      *T     `json:"clientCountsDTO"`
	History *T     `json:"historicalClientCountsDTO"`
	Client  *T     `json:"clientsDTO"`
	Alarm   *T     `json:"alarmsDTO"`
	Inv     *T     `json:"inventoryDetailsDTO"`
}

func (e entity[T]) dto() T {
	for _, p := range []*T{e.AP, e.Device, e.CC, e.History, e.Client, e.Alarm, e.Inv} {
		if p != nil {
			return *p
		}
	}
	var zero T
	return zero
}

type octets struct {
	Octets string `json:"octets"`
}

type apItem struct {
	ID                 int64  `json:"@id"`
	DisplayName        string `json:"@displayName"`
	Name               string `json:"name"`
	SerialNumber       string `json:"serialNumber"`
	Model              string `json:"model"`
	ClientCount        int    `json:"clientCount"`
	ClientCount24      int    `json:"clientCount_2_4GHz"`
	ClientCount5       int    `json:"clientCount_5GHz"`
	ReachabilityStatus string `json:"reachabilityStatus"`
	Status             string `json:"status"`
	UpTime             int64  `json:"upTime"`
	MacAddress         octets `json:"macAddress"`
	EthernetMac        octets `json:"ethernetMac"`
	IPAddress          struct {
		Address string `json:"address"`
	} `json:"ipAddress"`
	MapLocation       string `json:"mapLocation"`
	LocationHierarchy string `json:"locationHierarchy"`
	UnifiedApInfo     struct {
		ControllerName      string `json:"controllerName"`
		ControllerIPAddress string `json:"controllerIpAddress"`
		APMode              string `json:"apMode"`
	} `json:"unifiedApInfo"`
}

type deviceItem struct {
	ID             int64  `json:"@id"`
	DeviceID       int64  `json:"deviceId"`
	DeviceName     string `json:"deviceName"`
	DeviceType     string `json:"deviceType"`
	IPAddress      string `json:"ipAddress"`
	ProductFamily  string `json:"productFamily"`
	Reachability   string `json:"reachability"`
	CollectionTime string `json:"collectionTime"`
}

// ccItem keeps every column of a ClientCounts row.
type ccItem map[string]any

func (c ccItem) n(k string) int     { v, _ := c[k].(float64); return int(v) }
func (c ccItem) s(k string) string  { v, _ := c[k].(string); return v }
func (c ccItem) id() int64          { v, _ := c["@id"].(float64); return int64(v) }
func (c ccItem) collected() int64   { v, _ := c["collectionTime"].(float64); return int64(v) }
func (c ccItem) typeKey() [3]string { return [3]string{c.s("type"), c.s("key"), c.s("subkey")} }

type enumItem struct {
	Ordinal int    `json:"ordinal"`
	Value   string `json:"value"`
}

type alarmItem struct {
	ID                    int64    `json:"@id"`
	AlarmID               int64    `json:"alarmId"`
	Severity              string   `json:"severity"`
	AcknowledgementStatus bool     `json:"acknowledgementStatus"`
	Category              enumItem `json:"category"`
	Condition             enumItem `json:"condition"`
	DeviceName            string   `json:"deviceName"`
	Source                string   `json:"source"`
	Message               string   `json:"message"`
	AlarmFoundAt          string   `json:"alarmFoundAt"`
	LastUpdatedAt         string   `json:"lastUpdatedAt"`
	TimeStamp             string   `json:"timeStamp"`
}

// walkAll pages through a list the way a client does: while first < @count.
func walkAll[T any](h *harness, resource, query string, size int) []T {
	h.T.Helper()
	var out []T
	for first, count := 0, 1; first < count; first += size {
		var env envelope[T]
		h.GetOK(data(resource, fmt.Sprintf(".full=true&.firstResult=%d&.maxResults=%d&%s", first, size, query)), &env)
		count = env.QueryResponse.Count
		for _, e := range env.QueryResponse.Entity {
			out = append(out, e.dto())
		}
	}
	return out
}

// countOf is the @count of a list query.
func countOf(h *harness, resource, query string) int {
	h.T.Helper()
	var env envelope[struct{}]
	h.GetOK(data(resource, ".maxResults=0&"+query), &env)
	return env.QueryResponse.Count
}

// isHTML tells an HTML error page, as Prime sends for 401 and 403.
func isHTML(r result) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && strings.Contains(string(r.Body), "<html")
}

func errorDocOf(t *testing.T, b []byte) errorDocJSON {
	t.Helper()
	var e errorJSON
	if err := json.Unmarshal(b, &e); err != nil || e.ErrorDocument.HTTPResponseCode == 0 {
		t.Fatalf("body %q is not an errorDocument: %v", b, err)
	}
	return e.ErrorDocument
}
