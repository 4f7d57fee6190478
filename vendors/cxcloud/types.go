package cxcloud

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/nmsexporter/nms_exporter/vendors"
)

// Wire types: the fields the exporter reads, with the API's JSON names.
// Each list asks for exactly these fields (a field mask, fieldsOf), so no
// other attribute travels.

// fieldsOf is the field mask of a wire type: the JSON names of its fields.
func fieldsOf[T any]() []string {
	t := reflect.TypeFor[T]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// timestamp is one of the API's datetimes: "YYYY-MM-DDTHH:MM:SS", no zone
// (read as UTC), or null. A zone or a fraction, should one come, is read
// too; anything else is taken as no time rather than failing the page.
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var s string
	switch {
	case len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0:
		// No escape: the text between the quotes, read without a decoder.
		s = string(b[1 : len(b)-1])
	case json.Unmarshal(b, &s) != nil:
		s = ""
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateTime} {
		if v, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	t.Time = time.Time{}
	return nil
}

type device struct {
	DeviceID           vendors.Text `json:"deviceId"`
	DeviceName         string       `json:"deviceName"`
	DeviceStatus       string       `json:"deviceStatus"`
	DeviceType         string       `json:"deviceType"`
	LastResetTimestamp timestamp    `json:"lastResetTimestamp"`
	ProductFamily      string       `json:"productFamily"`
	ProductID          string       `json:"productId"`
	ProductType        string       `json:"productType"`
	SoftwareVersion    string       `json:"softwareVersion"`
	SNMPSysLocation    string       `json:"snmpSysLocation"`
}

type collector struct {
	ApplianceID            string    `json:"applianceId"`
	CollectorName          string    `json:"collectorName"`
	CollectorStatus        string    `json:"collectorStatus"`
	CollectorVersion       string    `json:"collectorVersion"`
	ExpectedUploadInterval *float64  `json:"expectedUploadInterval"` // days
	LastUploadTimestamp    timestamp `json:"lastUploadTimestamp"`
}

type asset struct {
	DeviceID          vendors.Text `json:"deviceId"`
	PhysicalAssetID   vendors.Text `json:"physicalAssetId"`
	PhysicalAssetType string       `json:"physicalAssetType"`
	SerialNumber      string       `json:"serialNumber"`
}

type fieldNotice struct {
	DeviceID        vendors.Text `json:"deviceId"`
	FieldNoticeID   vendors.Text `json:"fieldNoticeId"`
	MatchConfidence string       `json:"matchConfidence"`
}

type fieldNoticeBulletin struct {
	FieldNoticeID   vendors.Text `json:"fieldNoticeId"`
	BulletinTitle   string       `json:"bulletinTitle"`
	BulletinURL     string       `json:"bulletinUrl"`
	FieldNoticeType string       `json:"fieldNoticeType"`
}

type advisory struct {
	DeviceID               vendors.Text `json:"deviceId"`
	SecurityAdvisoryColdID vendors.Text `json:"securityAdvisoryColdId"`
	MatchConfidence        string       `json:"matchConfidence"`
}

type advisoryBulletin struct {
	SecurityAdvisoryColdID vendors.Text `json:"securityAdvisoryColdId"`
	SecurityAdvisoryID     string       `json:"securityAdvisoryId"`
	SecurityImpactRating   string       `json:"securityImpactRating"`
	BulletinTitle          string       `json:"bulletinTitle"`
	BulletinURL            string       `json:"bulletinUrl"`
	// The CVSS base score is a string ("3.3") in the API's models; a
	// number is taken too. The CVE ids are one string, several separated.
	CVSSBaseScore vendors.Text `json:"commonVulnerabilityScoringSystemBaseScore"`
	CVEIDs        string       `json:"cveIds"`
}

type hardwareEoL struct {
	DeviceID            vendors.Text `json:"deviceId"`
	DeviceName          string       `json:"deviceName"`
	PhysicalAssetID     vendors.Text `json:"physicalAssetId"`
	HardwareEndOfLifeID vendors.Text `json:"hardwareEndOfLifeId"`
}

type softwareEoL struct {
	DeviceID            vendors.Text `json:"deviceId"`
	DeviceName          string       `json:"deviceName"`
	SoftwareEndOfLifeID vendors.Text `json:"softwareEndOfLifeId"`
}

// eolBulletin carries the milestone dates (YYYY-MM-DD) of a hardware or
// software end-of-life bulletin; the id is whichever of the two is set.
type eolBulletin struct {
	HardwareEndOfLifeID                   vendors.Text `json:"hardwareEndOfLifeId"`
	SoftwareEndOfLifeID                   vendors.Text `json:"softwareEndOfLifeId"`
	EndOfSaleDate                         string       `json:"endOfSaleDate"`
	LastShipDate                          string       `json:"lastShipDate"`
	EndOfSoftwareMaintenanceReleasesDate  string       `json:"endOfSoftwareMaintenanceReleasesDate"`
	EndOfVulnerabilitySecuritySupportDate string       `json:"endOfVulnerabilitySecuritySupportDate"`
	EndOfRoutineFailureAnalysisDate       string       `json:"endOfRoutineFailureAnalysisDate"`
	EndOfServiceContractRenewalDate       string       `json:"endOfServiceContractRenewalDate"`
	LastDayOfSupportDate                  string       `json:"lastDayOfSupportDate"`
}

var hardwareBulletinFields = []string{"hardwareEndOfLifeId", "endOfSaleDate", "lastShipDate",
	"endOfSoftwareMaintenanceReleasesDate", "endOfVulnerabilitySecuritySupportDate",
	"endOfRoutineFailureAnalysisDate", "endOfServiceContractRenewalDate", "lastDayOfSupportDate"}

var softwareBulletinFields = []string{"softwareEndOfLifeId", "endOfSaleDate",
	"endOfSoftwareMaintenanceReleasesDate", "endOfVulnerabilitySecuritySupportDate", "lastDayOfSupportDate"}

// numMilestones is the dates a bulletin carries.
const numMilestones = 7

// milestoneNames are the milestone labels of a bulletin's dates, in the
// order milestones gives them; softwareMilestoneNames, the same of a
// software bulletin. Made once, so that a hundred thousand milestones
// share them.
var (
	milestoneNames = [numMilestones]string{"end_of_sale", "last_ship", "end_of_software_maintenance",
		"end_of_vulnerability_support", "end_of_routine_failure_analysis", "end_of_service_contract_renewal",
		"last_date_of_support"}
	softwareMilestoneNames = func() (out [numMilestones]string) {
		for i, n := range milestoneNames {
			out[i] = "software_" + n
		}
		return out
	}()
)

// milestones are the bulletin's dates, in milestoneNames' order.
func (b eolBulletin) milestones() [numMilestones]string {
	return [numMilestones]string{b.EndOfSaleDate, b.LastShipDate, b.EndOfSoftwareMaintenanceReleasesDate,
		b.EndOfVulnerabilitySecuritySupportDate, b.EndOfRoutineFailureAnalysisDate, b.EndOfServiceContractRenewalDate,
		b.LastDayOfSupportDate}
}

// contractSerial is one serial number's service contract and warranty
// (cxcloud.md 9.3). Dates are YYYY-MM-DD, null when there is none, or ""
// in the bulk answer's form; every field may be absent under a field mask.
type contractSerial struct {
	SerialNumber              string `json:"serialNumber"`
	ParentSerialNumber        string `json:"parentSerialNumber"`
	IsCovered                 *bool  `json:"isCovered"`
	CoveredProductLineEndDate string `json:"coveredProductLineEndDate"`
	ServiceLineDescription    string `json:"serviceLineDescription"`
	WarrantyEndDate           string `json:"warrantyEndDate"`
	WarrantyType              string `json:"warrantyType"`
}

// lastReset is a device's last reset (cxcloud.md 9.4): resetType crash or
// reload in the SDK's tests (the full set is unverified), resetReason free
// text.
type lastReset struct {
	DeviceID           vendors.Text `json:"deviceId"`
	DeviceName         string       `json:"deviceName"`
	LastResetTimestamp timestamp    `json:"lastResetTimestamp"`
	ResetReason        string       `json:"resetReason"`
	ResetType          string       `json:"resetType"`
}

// resetHistory is the resets CX Cloud keeps of a device.
type resetHistory struct {
	DeviceID     vendors.Text `json:"deviceId"`
	DeviceName   string       `json:"deviceName"`
	ResetDetails []struct {
		ResetTimestamp timestamp `json:"resetTimestamp"`
		ResetType      string    `json:"resetType"`
	} `json:"resetDetails"`
}

// Bulk lines (cxcloud.md 9.5, the SDK's DeviceBulk model): a device line
// is a whole device with its assets, each with its field notices,
// hardware end of life and contract, and the device's software end of
// life and security advisories. Objects may come as null or {}, contract
// dates as "", optional fields not at all; configurationBestPractice is
// not read.
type bulkDevice struct {
	device
	Assets            []bulkAsset  `json:"assets"`
	SoftwareEndOfLife *softwareEoL `json:"softwareEndOfLife"`
	SecurityAdvisory  []advisory   `json:"securityAdvisory"`
}

type bulkAsset struct {
	asset
	FieldNotices      []fieldNotice   `json:"fieldNotices"`
	HardwareEndOfLife *hardwareEoL    `json:"hardwareEndOfLife"`
	Contract          *contractSerial `json:"contract"`
}
