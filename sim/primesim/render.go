package primesim

import (
	"fmt"
	"strconv"
)

// Wire shapes. Field names, types and order follow the v4 DTO catalogue
// (prime-v4-dto-fields.json): @id and @displayName first, then the fields
// alphabetically. Attributes without a value are omitted, as Prime omits
// nulls. Older versions differ where the catalogue says so (see view).

type queryResponse[T any] struct {
	QueryResponse T `json:"queryResponse"`
}

// jnum is a number sent as a JSON number, or as a string where
// Options.StringNumbersAt asks for it.
type jnum struct {
	n   int64
	str bool
}

func (j jnum) MarshalJSON() ([]byte, error) {
	if j.str {
		return strconv.AppendQuote(nil, strconv.FormatInt(j.n, 10)), nil
	}
	return strconv.AppendInt(nil, j.n, 10), nil
}

type listJSON struct {
	Last         jnum           `json:"@last"`
	First        jnum           `json:"@first"`
	Count        *jnum          `json:"@count,omitempty"`
	Type         string         `json:"@type"`
	Domain       string         `json:"@domain,omitempty"`
	RequestURL   string         `json:"@requestUrl"`
	ResponseType string         `json:"@responseType"`
	RootURL      string         `json:"@rootUrl"`
	Entity       any            `json:"entity,omitempty"`
	EntityID     []entityIDJSON `json:"entityId,omitempty"`
}

type entityIDJSON struct {
	ID  string `json:"$"`
	URL string `json:"@url"`
}

type getJSON struct {
	RequestURL   string `json:"@requestUrl"`
	ResponseType string `json:"@responseType"`
	RootURL      string `json:"@rootUrl"`
	Type         string `json:"@type"`
	Domain       string `json:"@domain,omitempty"`
	Entity       any    `json:"entity"`
}

// catalogJSON is the data.json answer: the resources served.
type catalogJSON struct {
	EntityType []entityTypeJSON `json:"entityType"`
}

type entityTypeJSON struct {
	Name string `json:"$"`
	URL  string `json:"@url"`
}

// opsJSON is the op.json answer: no operations are served.
type opsJSON struct {
	Operation []struct{} `json:"operation"`
}

type errorJSON struct {
	ErrorDocument errorDocJSON `json:"errorDocument"`
}

// errorDocJSON is Prime's documented error body (prime.md section 7).
type errorDocJSON struct {
	HTTPResponseCode int    `json:"httpResponseCode"`
	HTTPMethod       string `json:"httpMethod"`
	Message          string `json:"message"`
	ID               string `json:"id,omitempty"`
	URIPath          string `json:"uriPath"`
	QueryParams      string `json:"queryParams"`
}

// entityHead is what every entity of a list carries before its DTO.
type entityHead struct {
	DTOType string `json:"@dtoType"`
	Type    string `json:"@type"`
	URL     string `json:"@url"`
}

type macJSON struct {
	Octets string `json:"octets"`
}

type inetJSON struct {
	Address string `json:"address"`
}

type enumJSON struct {
	Ordinal int    `json:"ordinal"`
	Value   string `json:"value"`
}

type unifiedApInfoJSON struct {
	APGroupName         string `json:"apGroupName"`
	APMode              string `json:"apMode"`
	ControllerIPAddress string `json:"controllerIpAddress,omitempty"`
	ControllerName      string `json:"controllerName,omitempty"`
}

type apDTO struct {
	ID                 jnum              `json:"@id"`
	DisplayName        string            `json:"@displayName"`
	AdminStatus        string            `json:"adminStatus"`
	ClientCount        int               `json:"clientCount"`
	ClientCount24      int               `json:"clientCount_2_4GHz"`
	ClientCount5       int               `json:"clientCount_5GHz"`
	EthernetMac        any               `json:"ethernetMac"`
	IPAddress          any               `json:"ipAddress"`
	LocationHeirarchy  string            `json:"locationHeirarchy,omitempty"` // sic, before v3
	LocationHierarchy  string            `json:"locationHierarchy,omitempty"`
	MacAddress         any               `json:"macAddress"`
	MapLocation        string            `json:"mapLocation"`
	Model              string            `json:"model"`
	Name               string            `json:"name"`
	ReachabilityStatus string            `json:"reachabilityStatus"`
	SerialNumber       string            `json:"serialNumber"`
	SoftwareVersion    string            `json:"softwareVersion"`
	Status             string            `json:"status"`
	Type               string            `json:"type"`
	UnifiedApInfo      unifiedApInfoJSON `json:"unifiedApInfo"`
	UpTime             int64             `json:"upTime"`
}

type apEntity struct {
	entityHead
	DTO apDTO `json:"accessPointDetailsDTO"`
}

type deviceDTO struct {
	ID                jnum   `json:"@id"`
	DisplayName       string `json:"@displayName"`
	AdminStatus       string `json:"adminStatus"`
	ClearedAlarms     *int   `json:"clearedAlarms,omitempty"` // v1 and v2 only
	CollectionStatus  string `json:"collectionStatus"`
	CollectionTime    string `json:"collectionTime"`
	CreationTime      string `json:"creationTime"`
	CriticalAlarms    *int   `json:"criticalAlarms,omitempty"`
	DeviceID          int64  `json:"deviceId"`
	DeviceName        string `json:"deviceName"`
	DeviceType        string `json:"deviceType"`
	InformationAlarms *int   `json:"informationAlarms,omitempty"`
	IPAddress         string `json:"ipAddress"`
	Location          string `json:"location"`
	MajorAlarms       *int   `json:"majorAlarms,omitempty"`
	ManagementStatus  string `json:"managementStatus"`
	MinorAlarms       *int   `json:"minorAlarms,omitempty"`
	ProductFamily     string `json:"productFamily"`
	Reachability      string `json:"reachability"`
	SoftwareType      string `json:"softwareType"`
	SoftwareVersion   string `json:"softwareVersion"`
	WarningAlarms     *int   `json:"warningAlarms,omitempty"`
}

type deviceEntity struct {
	entityHead
	DTO deviceDTO `json:"devicesDTO"`
}

type clientCountsDTO struct {
	ID                 jnum   `json:"@id"`
	DisplayName        string `json:"@displayName"`
	AuthCount          int    `json:"authCount"`
	CollectionTime     int64  `json:"collectionTime"`
	Count              int    `json:"count"`
	Dot11aAuthCount    int32  `json:"dot11aAuthCount"`
	Dot11aCount        int32  `json:"dot11aCount"`
	Dot11acAuthCount   int32  `json:"dot11acAuthCount"`
	Dot11acCount       int32  `json:"dot11acCount"`
	Dot11ax24AuthCount int32  `json:"dot11ax2_4AuthCount"`
	Dot11ax24Count     int32  `json:"dot11ax2_4Count"`
	Dot11ax5AuthCount  int32  `json:"dot11ax5AuthCount"`
	Dot11ax5Count      int32  `json:"dot11ax5Count"`
	Dot11bAuthCount    int32  `json:"dot11bAuthCount"`
	Dot11bCount        int32  `json:"dot11bCount"`
	Dot11gAuthCount    int32  `json:"dot11gAuthCount"`
	Dot11gCount        int32  `json:"dot11gCount"`
	Dot11n24AuthCount  int32  `json:"dot11n2_4AuthCount"`
	Dot11n24Count      int32  `json:"dot11n2_4Count"`
	Dot11n5AuthCount   int32  `json:"dot11n5AuthCount"`
	Dot11n5Count       int32  `json:"dot11n5Count"`
	Key                string `json:"key"`
	Subkey             string `json:"subkey"`
	Type               string `json:"type"`
	WGBAuthCount       int32  `json:"wgbAuthCount"`
	WGBCount           int32  `json:"wgbCount"`
	Wired100MAuthCount int32  `json:"wired100MAuthCount"`
	Wired100MCount     int32  `json:"wired100MCount"`
	Wired10GAuthCount  int32  `json:"wired10GAuthCount"`
	Wired10GCount      int32  `json:"wired10GCount"`
	Wired10MAuthCount  int32  `json:"wired10MAuthCount"`
	Wired10MCount      int32  `json:"wired10MCount"`
	Wired1GAuthCount   int32  `json:"wired1GAuthCount"`
	Wired1GCount       int32  `json:"wired1GCount"`
}

// ccEntity is a ClientCounts or HistoricalClientCounts entity; its DTO key
// is the resource's, so it is written by hand.
type ccEntity struct {
	head entityHead
	dto  clientCountsDTO
}

func (e ccEntity) MarshalJSON() ([]byte, error) {
	return marshalEntity(e.head, e.dto)
}

type clientDTO struct {
	ID                   jnum   `json:"@id"`
	DisplayName          string `json:"@displayName"`
	APMacAddress         any    `json:"apMacAddress,omitempty"`
	AssociationTime      int64  `json:"associationTime"`
	ClientInterface      string `json:"clientInterface,omitempty"`
	ConnectionType       string `json:"connectionType"`
	DeviceIPAddress      any    `json:"deviceIpAddress"`
	DeviceName           string `json:"deviceName"`
	IPAddress            any    `json:"ipAddress"`
	Location             string `json:"location"`
	MacAddress           any    `json:"macAddress"`
	Protocol             string `json:"protocol"`
	SecurityPolicyStatus string `json:"securityPolicyStatus"`
	SSID                 string `json:"ssid,omitempty"`
	Status               string `json:"status"`
	UpdateTime           int64  `json:"updateTime"`
	UserName             string `json:"userName,omitempty"`
	Vendor               string `json:"vendor"`
	VLAN                 string `json:"vlan"`
	VLANID               int    `json:"vlanId"`
}

type clientEntity struct {
	entityHead
	DTO clientDTO `json:"clientsDTO"`
}

type alarmDTO struct {
	ID                    jnum   `json:"@id"`
	DisplayName           string `json:"@displayName"`
	AcknowledgementStatus bool   `json:"acknowledgementStatus"`
	AlarmFoundAt          string `json:"alarmFoundAt"`
	AlarmID               int64  `json:"alarmId"`
	Category              any    `json:"category"`  // enumJSON, or a string (Options.StringEnumsAt)
	Condition             any    `json:"condition"` // likewise
	DeviceName            string `json:"deviceName,omitempty"`
	LastUpdatedAt         string `json:"lastUpdatedAt"`
	Message               string `json:"message"`
	NttyAddress           any    `json:"nttyaddrss7_address,omitempty"`
	Severity              string `json:"severity"`
	Source                string `json:"source"`
	TimeStamp             string `json:"timeStamp"`
}

type alarmEntity struct {
	entityHead
	DTO alarmDTO `json:"alarmsDTO"`
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// reachabilityStatus spells an AP's state as the version does: title case
// in v2, upper case otherwise.
func (v *view) reachabilityStatus(up bool) string {
	switch {
	case up && v.ver == 2:
		return "Reachable"
	case up:
		return "REACHABLE"
	case v.ver == 2:
		return "Unreachable"
	}
	return "UNREACHABLE"
}

func (v *view) apDTO(i int) apDTO {
	w := v.w
	a := &w.aps[i]
	fl := &w.floors[a.floor]
	total, on24, on5 := w.apClients(i)
	ctrl := &w.devs[a.wlc]
	out := apDTO{
		ID: v.num(a.id), DisplayName: idString(a.id), AdminStatus: "ENABLE",
		ClientCount: total, ClientCount24: on24, ClientCount5: on5,
		EthernetMac: v.mac(a.eth), IPAddress: v.inet(a.ip),
		MacAddress: v.mac(a.radio), MapLocation: fl.loc,
		Model: apModels[a.model].name, Name: a.name, ReachabilityStatus: v.reachabilityStatus(a.up),
		SerialNumber: a.serial, SoftwareVersion: devModels[kindController][ctrl.model].apVersion,
		Status: severityNames[a.status], Type: "UnifiedAp",
		UnifiedApInfo: unifiedApInfoJSON{
			APGroupName: apGroupName(w, a),
			APMode:      "LOCAL",
		},
	}
	if v.ver < 3 {
		out.LocationHeirarchy = fl.loc
	} else {
		out.LocationHierarchy = fl.loc
	}
	// An unassociated AP has no controller and no uptime.
	if a.up {
		out.UnifiedApInfo.ControllerName = ctrl.name
		out.UnifiedApInfo.ControllerIPAddress = ctrl.ip
		out.UpTime = max(0, (v.nowMs-a.bootMs)/10)
	}
	return out
}

func buildingTag(w *world, fl *floor) string {
	return fmt.Sprintf("B%02d", w.buildings[fl.building].num)
}

func (v *view) deviceDTO(i int) deviceDTO {
	d := &v.w.devs[i]
	m := &devModels[d.kind][d.model]
	out := deviceDTO{
		ID: v.num(d.id), DisplayName: idString(d.id), AdminStatus: "MANAGED",
		CollectionStatus: "COMPLETED", CollectionTime: isoDate(d.collectedMs), CreationTime: isoDate(d.createdMs),
		DeviceID: d.id, DeviceName: d.name, DeviceType: m.typ, IPAddress: d.ip, Location: d.loc,
		ManagementStatus: "MANAGED_AND_SYNCHRONIZED", ProductFamily: productFamilies[d.kind],
		Reachability: reachNames[d.reach], SoftwareType: m.swType, SoftwareVersion: m.version,
	}
	switch d.reach {
	case unreachable:
		out.CollectionStatus, out.ManagementStatus = "PINGUNREACHABLE", "MANAGED_BUT_LOSSOFCONNECTIVITY"
	case pingReachable:
		out.CollectionStatus, out.ManagementStatus = "SNMPCONNECTIVITYFAILED", "MANAGED_BUT_OUTOFSYNC"
	}
	if v.ver < 3 {
		// The per-severity alarm counts were removed in v3.
		n := v.deviceAlarms()[i]
		out.CriticalAlarms, out.MajorAlarms, out.MinorAlarms = &n[sevCritical], &n[sevMajor], &n[sevMinor]
		out.WarningAlarms, out.InformationAlarms, out.ClearedAlarms = &n[sevWarning], &n[sevInformation], &n[sevCleared]
	}
	return out
}

func (v *view) clientCountsDTO(e *ccEntry, atMs int64) clientCountsDTO {
	n, auth := e.t.count()
	c, a := &e.t.c, &e.t.a
	return clientCountsDTO{
		ID: v.num(e.id), DisplayName: idString(e.id), AuthCount: auth, CollectionTime: atMs, Count: n,
		Dot11aAuthCount: a[colA], Dot11aCount: c[colA],
		Dot11acAuthCount: a[colAC], Dot11acCount: c[colAC],
		Dot11ax24AuthCount: a[colAX24], Dot11ax24Count: c[colAX24],
		Dot11ax5AuthCount: a[colAX5], Dot11ax5Count: c[colAX5],
		Dot11bAuthCount: a[colB], Dot11bCount: c[colB],
		Dot11gAuthCount: a[colG], Dot11gCount: c[colG],
		Dot11n24AuthCount: a[colN24], Dot11n24Count: c[colN24],
		Dot11n5AuthCount: a[colN5], Dot11n5Count: c[colN5],
		Key: e.key, Subkey: e.subkey, Type: ccTypeNames[e.typ],
		WGBAuthCount: a[colWGB], WGBCount: c[colWGB],
		Wired100MAuthCount: a[colW100M], Wired100MCount: c[colW100M],
		Wired10GAuthCount: a[colW10G], Wired10GCount: c[colW10G],
		Wired10MAuthCount: a[colW10M], Wired10MCount: c[colW10M],
		Wired1GAuthCount: a[colW1G], Wired1GCount: c[colW1G],
	}
}

func (v *view) alarmDTO(k int) alarmDTO {
	w := v.w
	a := &w.alarms[k]
	out := alarmDTO{
		ID: v.num(a.id), DisplayName: idString(a.id), AcknowledgementStatus: a.acked,
		AlarmFoundAt: isoDate(a.foundMs), AlarmID: a.id,
		Category:   v.enum(int(a.cat), w.cats[a.cat]),
		Condition:  v.enum(int(a.cond), w.conds[a.cond]),
		DeviceName: a.deviceName, LastUpdatedAt: isoDate(a.updatedMs), Message: a.message,
		Severity: severityNames[a.sev], Source: a.source, TimeStamp: isoDate(a.updatedMs),
	}
	if a.ip != "" {
		out.NttyAddress = v.inet(a.ip)
	}
	return out
}
