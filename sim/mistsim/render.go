package mistsim

import (
	"fmt"
	"math"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Wire shapes. Field names and order follow the OpenAPI schemas; only a
// subset of each schema's optional fields is produced.

type latLng struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

type orgJSON struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	MSPID           string   `json:"msp_id"`
	OrggroupIDs     []string `json:"orggroup_ids"`
	AlarmtemplateID *string  `json:"alarmtemplate_id"`
	AllowMist       bool     `json:"allow_mist"`
	SessionExpiry   int      `json:"session_expiry"`
	CreatedTime     int64    `json:"created_time"`
	ModifiedTime    int64    `json:"modified_time"`
}

type siteJSON struct {
	ID                string   `json:"id"`
	OrgID             string   `json:"org_id"`
	Name              string   `json:"name"`
	Timezone          string   `json:"timezone"`
	CountryCode       string   `json:"country_code"`
	Address           string   `json:"address"`
	LatLng            latLng   `json:"latlng"`
	SitegroupIDs      []string `json:"sitegroup_ids"`
	AlarmtemplateID   *string  `json:"alarmtemplate_id"`
	NetworktemplateID *string  `json:"networktemplate_id"`
	RftemplateID      *string  `json:"rftemplate_id"`
	SecpolicyID       *string  `json:"secpolicy_id"`
	Notes             string   `json:"notes"`
	Tzoffset          int      `json:"tzoffset"`
	CreatedTime       int64    `json:"created_time"`
	ModifiedTime      int64    `json:"modified_time"`
}

type siteStatsJSON struct {
	siteJSON
	MSPID               string  `json:"msp_id"`
	Lat                 float64 `json:"lat"`
	Lng                 float64 `json:"lng"`
	NumAP               int     `json:"num_ap"`
	NumAPConnected      int     `json:"num_ap_connected"`
	NumSwitch           int     `json:"num_switch"`
	NumSwitchConnected  int     `json:"num_switch_connected"`
	NumGateway          int     `json:"num_gateway"`
	NumGatewayConnected int     `json:"num_gateway_connected"`
	NumDevices          int     `json:"num_devices"`
	NumDevicesConnected int     `json:"num_devices_connected"`
	NumClients          int     `json:"num_clients"`
}

type radioJSON struct {
	Channel    int    `json:"channel"`
	Bandwidth  int    `json:"bandwidth"`
	Power      int    `json:"power"`
	NumClients int    `json:"num_clients"`
	UtilAll    int    `json:"util_all"`
	NoiseFloor int    `json:"noise_floor"`
	Usage      string `json:"usage"`
	MAC        string `json:"mac"`
	TxBytes    int64  `json:"tx_bytes"`
	RxBytes    int64  `json:"rx_bytes"`
	// Added for section 14 of mist.md, after the fields served before.
	NumWLANs            int   `json:"num_wlans"`
	UtilTx              int   `json:"util_tx"`
	UtilRxInBSS         int   `json:"util_rx_in_bss"`
	UtilRxOtherBSS      int   `json:"util_rx_other_bss"`
	UtilUnknownWifi     int   `json:"util_unknown_wifi"`
	UtilNonWifi         int   `json:"util_non_wifi"`
	UtilUndecodableWifi int   `json:"util_undecodable_wifi"`
	TxPkts              int64 `json:"tx_pkts"`
	RxPkts              int64 `json:"rx_pkts"`
}

type radioStatJSON struct {
	Band24 *radioJSON `json:"band_24,omitempty"`
	Band5  *radioJSON `json:"band_5,omitempty"`
	Band6  *radioJSON `json:"band_6,omitempty"`
}

type apStatJSON struct {
	Type         string        `json:"type"`
	ID           string        `json:"id"`
	MAC          string        `json:"mac"`
	Name         string        `json:"name"`
	Model        string        `json:"model"`
	Serial       string        `json:"serial"`
	HWRev        string        `json:"hw_rev"`
	Version      string        `json:"version"`
	Status       string        `json:"status"`
	SiteID       string        `json:"site_id"`
	OrgID        string        `json:"org_id"`
	IP           string        `json:"ip"`
	Uptime       int64         `json:"uptime"`
	LastSeen     float64       `json:"last_seen"`
	NumClients   int           `json:"num_clients"`
	NumWLANs     int           `json:"num_wlans"`
	CPUUtil      int           `json:"cpu_util"`
	MemUsedKB    int64         `json:"mem_used_kb"`
	MemTotalKB   int64         `json:"mem_total_kb,omitempty"`
	PowerSrc     string        `json:"power_src"`
	TxBps        int64         `json:"tx_bps"`
	RxBps        int64         `json:"rx_bps"`
	TxBytes      int64         `json:"tx_bytes"`
	RxBytes      int64         `json:"rx_bytes"`
	RadioStat    radioStatJSON `json:"radio_stat"`
	CreatedTime  int64         `json:"created_time"`
	ModifiedTime int64         `json:"modified_time"`
	// Added for section 14 of mist.md, after the fields served before.
	CPUUser          *int64                `json:"cpu_user,omitempty"`
	CPUSystem        *int64                `json:"cpu_system,omitempty"`
	PowerBudget      int                   `json:"power_budget"`
	PowerOpmode      string                `json:"power_opmode"`
	PowerConstrained bool                  `json:"power_constrained"`
	EnvStat          envStatJSON           `json:"env_stat"`
	PortStat         map[string]apPortJSON `json:"port_stat"`
	LLDPStat         *lldpJSON             `json:"lldp_stat,omitempty"`
	LastTrouble      *lastTroubleJSON      `json:"last_trouble,omitempty"`
}

type envStatJSON struct {
	CPUTemp      int `json:"cpu_temp"`
	AmbientTemp  int `json:"ambient_temp"`
	Humidity     int `json:"humidity"`
	VcoreVoltage int `json:"vcore_voltage"`
}

type apPortJSON struct {
	Up         bool  `json:"up"`
	FullDuplex bool  `json:"full_duplex"`
	Speed      int   `json:"speed"`
	TxBytes    int64 `json:"tx_bytes"`
	RxBytes    int64 `json:"rx_bytes"`
	TxPkts     int64 `json:"tx_pkts"`
	RxPkts     int64 `json:"rx_pkts"`
	RxErrors   int64 `json:"rx_errors"`
	TxPeakBps  int64 `json:"tx_peak_bps"`
	RxPeakBps  int64 `json:"rx_peak_bps"`
}

type lldpJSON struct {
	SystemName       string `json:"system_name"`
	SystemDesc       string `json:"system_desc"`
	PortID           string `json:"port_id"`
	PortDesc         string `json:"port_desc"`
	ChassisID        string `json:"chassis_id"`
	MgmtAddr         string `json:"mgmt_addr"`
	LLDPMedSupported bool   `json:"lldp_med_supported"`
	PowerRequested   int    `json:"power_requested"`
	PowerAllocated   int    `json:"power_allocated"`
	PowerDraw        int    `json:"power_draw"`
	PowerAvail       int    `json:"power_avail"`
}

type lastTroubleJSON struct {
	Code      string `json:"code"`
	Timestamp int64  `json:"timestamp"`
}

type tempJSON struct {
	Name    string `json:"name"`
	Celsius int    `json:"celsius"`
	Status  string `json:"status"`
}

type fanJSON struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Airflow string `json:"airflow"`
}

type psuJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

type poeJSON struct {
	MaxPower  float64 `json:"max_power"`
	PowerDraw float64 `json:"power_draw"`
}

type netResJSON struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
	Limit int    `json:"limit"`
}

type moduleJSON struct {
	FPCIdx           int          `json:"fpc_idx"`
	MAC              string       `json:"mac"`
	Serial           string       `json:"serial"`
	Model            string       `json:"model"`
	Version          string       `json:"version"`
	VCRole           string       `json:"vc_role"`
	VCState          string       `json:"vc_state"`
	Status           string       `json:"status"`
	Uptime           int64        `json:"uptime"`
	CPUStat          cpuStatJSON  `json:"cpu_stat"`
	Temperatures     []tempJSON   `json:"temperatures"`
	Fans             []fanJSON    `json:"fans"`
	Psus             []psuJSON    `json:"psus"`
	Poe              *poeJSON     `json:"poe,omitempty"`
	NetworkResources []netResJSON `json:"network_resources,omitempty"`
	VCLinks          []struct{}   `json:"vc_links"`
	Errors           []struct{}   `json:"errors"`
}

type spuJSON struct {
	SpuCPU            int `json:"spu_cpu"`
	SpuMemory         int `json:"spu_memory"`
	SpuCurrentSession int `json:"spu_current_session"`
	SpuMaxSession     int `json:"spu_max_session"`
	SpuPendingSession int `json:"spu_pending_session"`
	SpuValidSession   int `json:"spu_valid_session"`
}

type cpuStatJSON struct {
	Idle      int `json:"idle"`
	System    int `json:"system"`
	User      int `json:"user"`
	Interrupt int `json:"interrupt"`
	// LoadAvg was added for section 14 of mist.md.
	LoadAvg []float64 `json:"load_avg,omitempty"`
}

type memStatJSON struct {
	Usage int `json:"usage"`
}

type switchClientsJSON struct {
	Total struct {
		NumAPs          []int `json:"num_aps"`
		NumWiredClients int   `json:"num_wired_clients"`
	} `json:"total"`
}

type switchStatJSON struct {
	Type         string            `json:"type"`
	ID           string            `json:"id"`
	MAC          string            `json:"mac"`
	Name         string            `json:"name"`
	Hostname     string            `json:"hostname"`
	Model        string            `json:"model"`
	Serial       string            `json:"serial"`
	HWRev        string            `json:"hw_rev"`
	Version      string            `json:"version"`
	Status       string            `json:"status"`
	SiteID       string            `json:"site_id"`
	OrgID        string            `json:"org_id"`
	IP           string            `json:"ip"`
	Uptime       int64             `json:"uptime"`
	LastSeen     float64           `json:"last_seen"`
	ConfigStatus string            `json:"config_status"`
	CPUStat      cpuStatJSON       `json:"cpu_stat"`
	MemoryStat   memStatJSON       `json:"memory_stat"`
	ClientsStats switchClientsJSON `json:"clients_stats"`
	CreatedTime  int64             `json:"created_time"`
	ModifiedTime int64             `json:"modified_time"`
	// Added for section 14 of mist.md, after the fields served before.
	ModuleStat  []moduleJSON     `json:"module_stat"`
	LastTrouble *lastTroubleJSON `json:"last_trouble,omitempty"`
}

type gatewayStatJSON struct {
	Type         string      `json:"type"`
	ID           string      `json:"id"`
	MAC          string      `json:"mac"`
	Name         string      `json:"name"`
	Hostname     string      `json:"hostname"`
	Model        string      `json:"model"`
	Serial       string      `json:"serial"`
	Version      string      `json:"version"`
	Status       string      `json:"status"`
	SiteID       string      `json:"site_id"`
	OrgID        string      `json:"org_id"`
	IP           string      `json:"ip"`
	ExtIP        string      `json:"ext_ip"`
	Uptime       int64       `json:"uptime"`
	LastSeen     float64     `json:"last_seen"`
	ConfigStatus string      `json:"config_status"`
	CPUStat      cpuStatJSON `json:"cpu_stat"`
	MemoryStat   memStatJSON `json:"memory_stat"`
	CreatedTime  int64       `json:"created_time"`
	ModifiedTime int64       `json:"modified_time"`
	// Added for section 14 of mist.md, after the fields served before;
	// the last four only when fields names them (or is *).
	ModuleStat []moduleJSON     `json:"module_stat"`
	SpuStat    []spuJSON        `json:"spu_stat,omitempty"`
	Ports      *[]portJSON      `json:"ports,omitempty"`
	BGPPeers   *[]bgpJSON       `json:"bgp_peers,omitempty"`
	Tunnels    *[]wanTunnelJSON `json:"tunnels,omitempty"`
	VPNPeers   *[]vpnPeerJSON   `json:"vpn_peers,omitempty"`
}

type inventoryJSON struct {
	ID              string  `json:"id"`
	MAC             string  `json:"mac"`
	Serial          string  `json:"serial"`
	Model           string  `json:"model"`
	SKU             string  `json:"sku"`
	Type            string  `json:"type"`
	Name            string  `json:"name"`
	Hostname        string  `json:"hostname,omitempty"`
	SiteID          *string `json:"site_id"`
	OrgID           string  `json:"org_id"`
	Connected       bool    `json:"connected"`
	Adopted         bool    `json:"adopted"`
	DeviceprofileID *string `json:"deviceprofile_id"`
	HWRev           string  `json:"hw_rev"`
	CreatedTime     int64   `json:"created_time"`
	ModifiedTime    int64   `json:"modified_time"`
}

type clientSearchJSON struct {
	MAC          string   `json:"mac"`
	OrgID        string   `json:"org_id"`
	SiteID       string   `json:"site_id"`
	SiteIDs      []string `json:"site_ids"`
	AP           []string `json:"ap"`
	LastAP       string   `json:"last_ap"`
	SSID         []string `json:"ssid"`
	LastSSID     string   `json:"last_ssid"`
	WlanID       []string `json:"wlan_id"`
	LastWlanID   string   `json:"last_wlan_id"`
	IP           []string `json:"ip"`
	LastIP       string   `json:"last_ip"`
	Hostname     []string `json:"hostname"`
	LastHostname string   `json:"last_hostname"`
	Device       []string `json:"device"`
	LastDevice   string   `json:"last_device"`
	OS           []string `json:"os"`
	LastOS       string   `json:"last_os"`
	Model        string   `json:"model"`
	LastModel    string   `json:"last_model"`
	Mfg          string   `json:"mfg"`
	VLAN         []int    `json:"vlan"`
	LastVLAN     int      `json:"last_vlan"`
	Band         string   `json:"band"`
	Protocol     string   `json:"protocol"`
	RandomMAC    bool     `json:"random_mac"`
	Timestamp    float64  `json:"timestamp"`
}

type clientStatJSON struct {
	MAC         string  `json:"mac"`
	SiteID      string  `json:"site_id"`
	APMAC       string  `json:"ap_mac"`
	APID        string  `json:"ap_id"`
	SSID        string  `json:"ssid"`
	WlanID      string  `json:"wlan_id"`
	Band        string  `json:"band"`
	Channel     int     `json:"channel"`
	RSSI        int     `json:"rssi"`
	SNR         int     `json:"snr"`
	Proto       string  `json:"proto"`
	IP          string  `json:"ip"`
	Hostname    string  `json:"hostname"`
	OS          string  `json:"os"`
	Manufacture string  `json:"manufacture"`
	Model       string  `json:"model"`
	Family      string  `json:"family"`
	IsGuest     bool    `json:"is_guest"`
	KeyMgmt     string  `json:"key_mgmt"`
	VlanID      string  `json:"vlan_id"`
	Uptime      int64   `json:"uptime"`
	IdleTime    int     `json:"idle_time"`
	AssocTime   int64   `json:"assoc_time"`
	LastSeen    float64 `json:"last_seen"`
	TxBps       int64   `json:"tx_bps"`
	RxBps       int64   `json:"rx_bps"`
	TxBytes     int64   `json:"tx_bytes"`
	RxBytes     int64   `json:"rx_bytes"`
	TxPkts      int64   `json:"tx_pkts"`
	RxPkts      int64   `json:"rx_pkts"`
	TxRate      float64 `json:"tx_rate"`
	RxRate      float64 `json:"rx_rate"`
	TxRetries   int64   `json:"tx_retries"`
	RxRetries   int64   `json:"rx_retries"`
}

type alarmJSON struct {
	ID           string   `json:"id"`
	OrgID        string   `json:"org_id"`
	SiteID       string   `json:"site_id"`
	Type         string   `json:"type"`
	Group        string   `json:"group"`
	Severity     string   `json:"severity"`
	Count        int      `json:"count"`
	Timestamp    float64  `json:"timestamp"`
	LastSeen     float64  `json:"last_seen"`
	Acked        bool     `json:"acked"`
	AckedTime    *int64   `json:"acked_time,omitempty"`
	AckAdminID   string   `json:"ack_admin_id,omitempty"`
	AckAdminName string   `json:"ack_admin_name,omitempty"`
	Note         string   `json:"note,omitempty"`
	Status       string   `json:"status"`
	ResolvedTime *int64   `json:"resolved_time,omitempty"`
	APs          []string `json:"aps,omitempty"`
	Switches     []string `json:"switches,omitempty"`
	Gateways     []string `json:"gateways,omitempty"`
	Hostnames    []string `json:"hostnames,omitempty"`
	SSIDs        []string `json:"ssids,omitempty"`
	BSSIDs       []string `json:"bssids,omitempty"`
}

type countJSON struct {
	Distinct string           `json:"distinct"`
	Start    float64          `json:"start"`
	End      float64          `json:"end"`
	Limit    int              `json:"limit"`
	Total    int              `json:"total"`
	Results  []map[string]any `json:"results"`
}

type searchJSON struct {
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Limit   int     `json:"limit"`
	Total   int     `json:"total"`
	Results any     `json:"results"`
	Next    string  `json:"next,omitempty"`
}

func (w *world) siteJSON(si int) siteJSON {
	s := &w.sites[si]
	return siteJSON{
		ID: s.id, OrgID: w.orgID, Name: s.name, Timezone: s.city.tz, CountryCode: s.city.country,
		Address: s.address, LatLng: latLng{s.lat, s.lng}, SitegroupIDs: []string{},
		Tzoffset: s.city.tzoffset, CreatedTime: s.created, ModifiedTime: s.modified,
	}
}

// siteCounts are a site's live device and client counts.
type siteCounts struct {
	ap, apUp, sw, swUp, gw, gwUp, clients int
}

func (w *world) countSite(si int) siteCounts {
	var c siteCounts
	for _, di := range w.sites[si].devs {
		d := &w.devs[di]
		up := 0
		if d.connected {
			up = 1
		}
		switch d.typ {
		case typeAP:
			c.ap++
			c.apUp += up
			if d.connected {
				c.clients += int(d.bands[0] + d.bands[1] + d.bands[2])
			}
		case typeSwitch:
			c.sw++
			c.swUp += up
		case typeGateway:
			c.gw++
			c.gwUp += up
		}
	}
	return c
}

func (w *world) siteStatsJSON(si int) siteStatsJSON {
	c := w.countSite(si)
	s := &w.sites[si]
	return siteStatsJSON{
		siteJSON: w.siteJSON(si), MSPID: w.mspID, Lat: s.lat, Lng: s.lng,
		NumAP: c.ap, NumAPConnected: c.apUp, NumSwitch: c.sw, NumSwitchConnected: c.swUp,
		NumGateway: c.gw, NumGatewayConnected: c.gwUp,
		NumDevices: c.ap + c.sw + c.gw, NumDevicesConnected: c.apUp + c.swUp + c.gwUp,
		NumClients: c.clients,
	}
}

// liveTimes returns uptime seconds and last_seen for a device at nowMs.
func (d *device) liveTimes(nowMs int64) (int64, float64) {
	if !d.connected {
		return 0, secsNum(d.downMs)
	}
	// Devices report every few seconds; the lag is fixed per device.
	lag := int64(simkit.Mix(d.macNum)%20_000) + 500
	up := max(0, (nowMs-d.bootMs)/1000)
	return up, secsNum(max(d.bootMs, nowMs-lag))
}

// deviceStatJSON is device di's E9/E10 document; optIn tells which of a
// gateway's opt-in fields (ports, bgp_peers, tunnels, vpn_peers) to add.
func (w *world) deviceStatJSON(di int, nowMs int64, o *Options, optIn func(string) bool) any {
	d := &w.devs[di]
	status := "disconnected"
	if d.connected {
		status = "connected"
	}
	up, seen := d.liveTimes(nowMs)
	h := simkit.Mix(d.macNum ^ 0x5eed)
	// CPU wanders with the world's steps, not the clock, so the same
	// world answers the same between steps.
	cpu := d.cpu + int(simkit.Mix(d.macNum^w.tick<<32)%8)
	switch d.typ {
	case typeSwitch:
		s := &switchStatJSON{
			Type: "switch", ID: d.id, MAC: d.mac, Name: d.name, Hostname: d.name, Model: d.model.name,
			Serial: d.serial, HWRev: d.model.hwRev, Version: d.version, Status: status, SiteID: w.siteID(d.site),
			OrgID: w.orgID, IP: d.ip, Uptime: up, LastSeen: seen, ConfigStatus: "synced",
			CPUStat:      cpuStatJSON{Idle: 100 - cpu, System: cpu / 2, User: cpu - cpu/2},
			MemoryStat:   memStatJSON{Usage: d.mem},
			CreatedTime:  d.created,
			ModifiedTime: d.modified,
		}
		s.ClientsStats.Total.NumAPs = []int{w.sites[d.site].nAP}
		if d.connected {
			s.ClientsStats.Total.NumWiredClients = int(d.wired)
		} else {
			s.ClientsStats.Total.NumAPs = []int{0}
		}
		s.CPUStat.LoadAvg = loadAvg(cpu)
		s.ModuleStat = w.moduleStat(di, up, cpu, nowMs)
		s.LastTrouble = lastTrouble(d, o)
		return s
	case typeGateway:
		g := &gatewayStatJSON{
			Type: "gateway", ID: d.id, MAC: d.mac, Name: d.name, Hostname: d.name, Model: d.model.name,
			Serial: d.serial, Version: d.version, Status: status, SiteID: w.siteID(d.site), OrgID: w.orgID,
			IP: d.ip, ExtIP: ipString(uint32(0xc6336400) | uint32(h%250) + 1), Uptime: up, LastSeen: seen,
			ConfigStatus: "synced",
			CPUStat:      cpuStatJSON{Idle: 100 - cpu, System: cpu / 2, User: cpu - cpu/2},
			MemoryStat:   memStatJSON{Usage: d.mem},
			CreatedTime:  d.created, ModifiedTime: d.modified,
		}
		g.CPUStat.LoadAvg = loadAvg(cpu)
		g.ModuleStat = w.moduleStat(di, up, cpu, nowMs)
		if d.model.name == "SRX320" {
			sess := int(h % 4000)
			g.SpuStat = []spuJSON{{SpuCPU: cpu / 2, SpuMemory: 40 + int(h>>12%20), SpuCurrentSession: sess,
				SpuMaxSession: 64000, SpuValidSession: sess - sess/20}}
		}
		w.gatewayOptIn(g, int32(di), nowMs, o, optIn)
		return g
	}
	a := &apStatJSON{
		Type: "ap", ID: d.id, MAC: d.mac, Name: d.name, Model: d.model.name, Serial: d.serial,
		HWRev: d.model.hwRev, Version: d.version, Status: status, SiteID: w.siteID(d.site), OrgID: w.orgID,
		IP: d.ip, Uptime: up, LastSeen: seen, CPUUtil: cpu,
		MemTotalKB: d.model.memTotalKB, MemUsedKB: d.model.memTotalKB * int64(d.mem) / 100,
		PowerSrc: "PoE 802.3at", CreatedTime: d.created, ModifiedTime: d.modified,
	}
	if d.connected {
		a.NumWLANs = 3
		a.TxBps, a.RxBps = d.bps, d.bps*2/5
		a.TxBytes, a.RxBytes = a.TxBps/8*up, a.RxBps/8*up
	}
	radio := func(b int) *radioJSON {
		r := &radioJSON{Channel: d.channels[b], Usage: bandNames[b], MAC: macString(d.macNum + uint64(b+1)<<4)}
		r.Bandwidth = []int{20, 80, 160}[b]
		r.Power = []int{12, 17, 18}[b]
		r.NoiseFloor = -92 - int(h>>uint(8*b)%6)
		if d.connected {
			r.NumClients = int(d.bands[b])
			r.UtilAll = min(95, 5+int(h>>uint(8*b+4)%20)+3*r.NumClients)
			r.TxBytes = a.TxBytes / 3
			r.RxBytes = a.RxBytes / 3
			a.NumClients += r.NumClients
			r.NumWLANs = a.NumWLANs
			split(r, h>>uint(8*b+2))
		}
		if d.radioOff&(1<<b) != 0 {
			r.Bandwidth, r.NumWLANs = 0, 0
			r.UtilAll, r.UtilTx, r.UtilRxInBSS, r.UtilRxOtherBSS, r.UtilUnknownWifi, r.UtilNonWifi, r.UtilUndecodableWifi = 0, 0, 0, 0, 0, 0, 0
		}
		r.TxPkts, r.RxPkts = r.TxBytes/700, r.RxBytes/600
		return r
	}
	w.apExtras(a, d, up, nowMs, o)
	a.RadioStat.Band24 = radio(band24)
	a.RadioStat.Band5 = radio(band5)
	if d.model.has6 {
		a.RadioStat.Band6 = radio(band6)
	}
	return a
}

func (w *world) inventoryJSON(di int) inventoryJSON {
	d := &w.devs[di]
	inv := inventoryJSON{
		ID: d.id, MAC: d.mac, Serial: d.serial, Model: d.model.name, SKU: d.model.sku, Type: d.typ.String(),
		Name: d.name, OrgID: w.orgID, Connected: d.connected, Adopted: d.typ != typeAP,
		HWRev: d.model.hwRev, CreatedTime: d.created, ModifiedTime: d.modified,
	}
	if d.site >= 0 {
		id := w.sites[d.site].id
		inv.SiteID = &id
		if d.typ != typeAP {
			inv.Hostname = d.name
		}
	}
	return inv
}

func (c *client) macString() string { return macString(c.mac) }

func (c *client) hostname() string {
	m := macString(c.mac)
	switch clientKinds[c.kind].host {
	case hostIPhone:
		return "iPhone-" + m[8:]
	case hostMac:
		return "MacBook-Pro-" + m[8:]
	case hostLaptop:
		return "LAPTOP-" + strings.ToUpper(fmt.Sprintf("%07X", simkit.Mix(c.mac)%0xfffffff))
	case hostAndroid:
		return "android-" + m
	case hostChromebook:
		return "chromebook-" + m[6:]
	case hostAxis:
		return "axis-" + m
	case hostPrinter:
		return "NPI" + strings.ToUpper(m[6:])
	case hostZebra:
		return "TC52-" + m[8:]
	}
	return m
}

var ssidVLAN = [3]int{10, 20, 30}

func protoName(c *client) string {
	switch c.band {
	case band6:
		return []string{"ax", "be"}[c.proto]
	case band24:
		return []string{"n", "ax"}[c.proto]
	}
	return []string{"ac", "ax"}[c.proto]
}

func (w *world) clientSearchJSON(ci int32, base int64) clientSearchJSON {
	c := &w.clients[ci]
	k := &clientKinds[c.kind]
	site := w.sites[c.site].id
	ap := w.devs[c.ap].mac
	ssid := ssidNames[c.ssid]
	ip := ipString(c.ip)
	host := c.hostname()
	out := clientSearchJSON{
		MAC: c.macString(), OrgID: w.orgID, SiteID: site, SiteIDs: []string{site},
		AP: []string{ap}, LastAP: ap, SSID: []string{ssid}, LastSSID: ssid,
		WlanID: []string{w.wlanIDs[c.ssid]}, LastWlanID: w.wlanIDs[c.ssid],
		IP: []string{ip}, LastIP: ip, Hostname: []string{host}, LastHostname: host,
		Device: []string{k.device}, LastDevice: k.device, OS: []string{}, LastOS: k.os,
		Model: k.model, LastModel: k.model, Mfg: k.mfg,
		VLAN: []int{ssidVLAN[c.ssid]}, LastVLAN: ssidVLAN[c.ssid],
		Band: bandNames[c.band], Protocol: protoName(c),
		Timestamp: secsNum(base + int64(c.off)),
	}
	if k.os != "" {
		out.OS = []string{k.os}
	}
	return out
}

func (w *world) clientStatJSON(ci int32, nowMs int64) clientStatJSON {
	c := &w.clients[ci]
	k := &clientKinds[c.kind]
	ap := &w.devs[c.ap]
	h := simkit.Mix(c.mac)
	base := w.base(nowMs)
	elapsed := max(0, (nowMs-w.b0)/1000)
	apUp, _ := ap.liveTimes(nowMs)
	up := min(int64(c.uptime)+elapsed, apUp)
	out := clientStatJSON{
		MAC: c.macString(), SiteID: w.sites[c.site].id, APMAC: ap.mac, APID: ap.id,
		SSID: ssidNames[c.ssid], WlanID: w.wlanIDs[c.ssid], Band: bandNames[c.band],
		Channel: ap.channels[c.band], RSSI: int(c.rssi), SNR: int(c.rssi) + 95,
		Proto: protoName(c), IP: ipString(c.ip), Hostname: c.hostname(), OS: k.os,
		Manufacture: k.mfg, Model: k.model, Family: k.family, IsGuest: c.ssid == ssidGuest,
		VlanID: fmt.Sprint(ssidVLAN[c.ssid]), Uptime: up, IdleTime: int(h % 30),
		AssocTime: nowMs/1000 - up, LastSeen: secsNum(base + int64(c.off)),
		TxBps: int64(h % 50_000), RxBps: int64(h >> 20 % 20_000),
	}
	switch c.ssid {
	case ssidCorp:
		out.KeyMgmt = "WPA2-EAP/CCMP"
		if c.band == band6 {
			out.KeyMgmt = "WPA3-EAP-SHA256/GCMP256"
		}
	case ssidGuest:
		out.KeyMgmt = "WPA2-PSK/CCMP"
		if c.band == band6 {
			out.KeyMgmt = "WPA3-SAE/CCMP"
		}
	default:
		out.KeyMgmt = "WPA2-PSK/CCMP"
	}
	out.TxBytes = out.TxBps / 8 * up
	out.RxBytes = out.RxBps / 8 * up
	out.TxPkts = out.TxBytes / 900
	out.RxPkts = out.RxBytes / 700
	rate := []float64{72.2, 866.7, 1200.9}[c.band]
	out.TxRate = math.Round(rate*(0.4+float64(h>>32%60)/100)*10) / 10
	out.RxRate = math.Round(rate*(0.3+float64(h>>40%60)/100)*10) / 10
	out.TxRetries = out.TxPkts / 20
	out.RxRetries = out.RxPkts / 25
	return out
}

func (w *world) alarmJSON(a *alarm) alarmJSON {
	out := alarmJSON{
		ID: a.id, OrgID: w.orgID, SiteID: a.siteID, Type: a.typ, Group: a.group, Severity: a.severity,
		Count: a.count, Timestamp: secsNum(a.tsMs), LastSeen: secsNum(a.lastSeenMs), Acked: a.acked,
		Note: a.note, Status: "open", APs: a.aps, Switches: a.switches, Gateways: a.gateways, Hostnames: a.hostnames,
		SSIDs: a.ssids, BSSIDs: a.bssids,
	}
	if a.acked {
		t := a.ackedMs / 1000
		out.AckedTime = &t
		if a.ackAdmin != "" {
			out.AckAdminName, out.AckAdminID = a.ackAdmin, stableUUID(a.ackAdmin)
		}
	}
	if a.resolved {
		out.Status = "resolved"
		t := a.resolvedMs / 1000
		out.ResolvedTime = &t
	}
	return out
}
