package nautobot

import (
	"cmp"
	"encoding/json"
	"net/url"
	"strconv"
)

// Wire types: the fields the exporter reads, with the API's JSON names, for
// both the 1.x and the 2.x shapes.

// page is a list answer.
type page[T any] struct {
	Count   int `json:"count"`
	Results []T `json:"results"`
	// Next links the next page with the limit the server served, which is
	// the page size (DRF's LimitOffsetPagination); null on the last page.
	Next *string `json:"next"`
}

// servedLimit is the limit of the next link: the page size the server
// serves, whatever was asked; 0 when there is no next page.
func (p *page[T]) servedLimit() int {
	if p.Next == nil {
		return 0
	}
	u, err := url.Parse(*p.Next)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(u.Query().Get("limit"))
	return max(n, 0)
}

// ref is a related object: a nested serializer in 1.x, a depth-1 object in
// 2.x. Either carries a name; display is the fallback. At depth 0 a 2.x
// object is its id alone.
type ref struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Display string `json:"display"`
	Slug    string `json:"slug"`
}

// named is what the lookup lists give: an object's id and name.
type named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (r *ref) String() string {
	if r == nil {
		return ""
	}
	return cmp.Or(r.Name, r.Display)
}

// status is {"value", "label"} in 1.x and an object with a name in 2.x.
type status struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Label string `json:"label"`
}

func (s *status) String() string {
	if s == nil {
		return ""
	}
	return cmp.Or(s.Name, s.Label)
}

type device struct {
	Name     string  `json:"name"`
	Serial   string  `json:"serial"`
	Status   *status `json:"status"`
	Tenant   *ref    `json:"tenant"`
	Platform *ref    `json:"platform"`
	Location *ref    `json:"location"`
	// 2.x
	Role *ref `json:"role"`
	// 1.x
	DeviceRole *ref `json:"device_role"`
	Site       *ref `json:"site"`
}

type location struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	LocationType *ref   `json:"location_type"`
	Parent       *ref   `json:"parent"`
}

type statusBody struct {
	NautobotVersion string          `json:"nautobot-version"`
	PythonVersion   string          `json:"python-version"`
	CeleryWorkers   json.RawMessage `json:"celery-workers-running"`
}
