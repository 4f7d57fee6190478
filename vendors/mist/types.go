package mist

// Wire types: the fields the exporter reads, with the API's JSON names.

type self struct {
	Email      string      `json:"email"`
	Name       string      `json:"name"`
	Privileges []privilege `json:"privileges"`
}

type privilege struct {
	Scope string `json:"scope"`
	OrgID string `json:"org_id"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

type usage struct {
	Requests     float64 `json:"requests"`
	RequestLimit float64 `json:"request_limit"`
}

type siteStats struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	NumAP               int    `json:"num_ap"`
	NumAPConnected      int    `json:"num_ap_connected"`
	NumSwitch           int    `json:"num_switch"`
	NumSwitchConnected  int    `json:"num_switch_connected"`
	NumGateway          int    `json:"num_gateway"`
	NumGatewayConnected int    `json:"num_gateway_connected"`
	NumClients          int    `json:"num_clients"`
}

type deviceStats struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	MAC        string  `json:"mac"`
	Name       string  `json:"name"`
	Model      string  `json:"model"`
	Serial     string  `json:"serial"`
	Version    string  `json:"version"`
	Status     string  `json:"status"`
	SiteID     string  `json:"site_id"`
	Uptime     float64 `json:"uptime"`
	LastSeen   float64 `json:"last_seen"`
	NumClients *int    `json:"num_clients"`
	deviceHealth
}

// deviceStatsFields names the fields of deviceStats: stats/devices returns
// only a subset of its fields unless the fields parameter names them, and
// which subset is not documented (mist.md section 14).
var deviceStatsFields = []string{"type", "id", "mac", "name", "model", "serial", "version", "status", "site_id",
	"uptime", "last_seen", "num_clients", "radio_stat", "cpu_util", "mem_used_kb", "mem_total_kb", "env_stat",
	"cpu_stat", "memory_stat", "module_stat"}

// searchPage is the body of a search endpoint: one page and the cursor to
// the next.
type searchPage[T any] struct {
	Limit int `json:"limit"`
	// Total is nil where a search leaves it out (E32 declares nothing
	// required).
	Total   *int   `json:"total"`
	Next    string `json:"next"`
	Results []T    `json:"results"`
}

type wirelessEntry struct {
	MAC      string `json:"mac"`
	SiteID   string `json:"site_id"`
	LastSSID string `json:"last_ssid"`
	Band     string `json:"band"`
}

// alarm is an alarm search's result (mist.md E17, the alarm object).
type alarm struct {
	ID        string  `json:"id"`
	SiteID    string  `json:"site_id"`
	Type      string  `json:"type"`
	Group     string  `json:"group"`
	Severity  string  `json:"severity"`
	Status    string  `json:"status"`
	Timestamp float64 `json:"timestamp"` // epoch s: when the alarm began
	LastSeen  float64 `json:"last_seen"` // epoch s: its last incident
	Note      string  `json:"note"`
	Acked     bool    `json:"acked"`
	AckedTime float64 `json:"acked_time"` // epoch s
	AckAdmin  string  `json:"ack_admin_name"`
	alarmDevices
}

// alarmDevices are the devices an alarm names, in searches and webhooks
// alike.
type alarmDevices struct {
	APs       []string `json:"aps"`
	Switches  []string `json:"switches"`
	Gateways  []string `json:"gateways"`
	Hostnames []string `json:"hostnames"`
}
