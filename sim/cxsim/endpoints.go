package cxsim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// Endpoint indexes; also the index of each endpoint's data version.
const (
	epDevices = iota
	epAssets
	epCollectors
	epFieldNotices
	epFieldNoticeBulletins
	epAdvisories
	epAdvisoryBulletins
	epHardwareEoL
	epHardwareEoLBulletins
	epSoftwareEoL
	epSoftwareEoLBulletins
	epLastReset
	epResetHistory
	epResetCount
	epContracts
	epBulk
	nEndpoints
)

// bulkName is the bulk download, a JSON Lines stream rather than a list.
const bulkName = "bulk/alerts"

// endpoint describes one collection: its attributes in model order (the
// order items are written in), the attributes it filters on, and how to
// render item i as a row.
type endpoint struct {
	name    string // path under the base, e.g. "inventory/devices"
	idParam string // attribute of the specific-ID route; "" when there is none
	attrs   []string
	filters []string
	count   func(w *world) int
	row     func(w *world, i int, r []value) []value
	find    func(w *world, id string) int // item index; -1 when unknown
	// counted lists answer HEAD with their paging headers (DOC-INV: a HEAD
	// request to inventory/assets or inventory/devices returns a count).
	counted bool
	// single endpoints answer one bare object (row 0), not a list.
	single bool
	// deps are the endpoints whose data this one is derived from: a new
	// version of any is a new version of this one.
	deps []int

	filterAttr map[string]int
	attrIndex  map[string]int
}

var endpoints = [nEndpoints]endpoint{
	epDevices: {
		name: "inventory/devices", idParam: "deviceId",
		attrs: []string{"collectorName", "configRegister", "configStatus", "configTimestamp", "createdTimestamp",
			"deviceId", "deviceIp", "deviceName", "deviceStatus", "deviceType", "featureSetDescription", "imageName",
			"inventoryStatus", "inventoryTimestamp", "ipAddress", "isInSeedFile", "lastResetTimestamp", "productFamily",
			"productId", "productType", "resetReason", "snmpSysContact", "snmpSysDescription", "snmpSysLocation",
			"snmpSysName", "snmpSysObjectId", "softwareType", "softwareVersion", "userField1", "userField2",
			"userField3", "userField4"},
		filters: []string{"deviceId", "productId", "configStatus", "deviceStatus", "isInSeedFile", "inventoryStatus"},
		count:   func(w *world) int { return len(w.devs) },
		row:     deviceRow,
		find:    findDevice,
		counted: true,
	},
	epAssets: {
		name: "inventory/assets", idParam: "physicalAssetId",
		attrs: []string{"chassisName", "deviceId", "deviceName", "hardwareRevision", "installedFlash",
			"installedMemory", "printedCircuitBoardName", "printedCircuitBoardRevision", "physicalAssetId",
			"physicalAssetSubtype", "physicalAssetType", "productFamily", "productId", "productType", "serialNumber",
			"serialNumberStatus", "slot", "softwareVersion", "topAssemblyNumber", "topAssemblyNumberRevision"},
		filters: []string{"deviceId", "physicalAssetId", "productId", "serialNumberStatus"},
		count:   func(w *world) int { return len(w.assets) },
		row:     assetRow,
		find:    findAsset,
		counted: true,
	},
	epCollectors: {
		name: "collectors", idParam: "applianceId",
		attrs: []string{"applianceId", "collectorName", "collectorStatus", "collectorVersion",
			"expectedUploadInterval", "lastUploadTimestamp"},
		filters: []string{"applianceId", "collectorStatus"},
		count:   func(w *world) int { return len(w.colls) },
		row:     collectorRow,
		find:    findCollector,
	},
	epFieldNotices: {
		name:    "productAlerts/fieldNotices",
		attrs:   []string{"deviceId", "fieldNoticeId", "matchConfidence", "matchConfidenceReason", "physicalAssetId"},
		filters: []string{"deviceId", "fieldNoticeId", "matchConfidence", "physicalAssetId"},
		count:   func(w *world) int { return len(w.fns) },
		row:     fieldNoticeRow,
	},
	epFieldNoticeBulletins: {
		name: "productAlerts/fieldNoticeBulletins",
		attrs: []string{"bulletinFirstPublishedTimestamp", "bulletinLastUpdatedTimestamp", "bulletinMappingCaveat",
			"bulletinTitle", "bulletinUrl", "fieldNoticeId", "fieldNoticeType", "problemDescription"},
		filters: []string{"fieldNoticeId", "fieldNoticeType"},
		count:   func(w *world) int { return len(w.fnb) },
		row:     fieldNoticeBulletinRow,
	},
	epAdvisories: {
		name:    "productAlerts/securityAdvisories",
		attrs:   []string{"deviceId", "matchConfidence", "matchConfidenceReason", "securityAdvisoryColdId"},
		filters: []string{"deviceId", "matchConfidence", "securityAdvisoryColdId"},
		count:   func(w *world) int { return len(w.sas) },
		row:     advisoryRow,
	},
	epAdvisoryBulletins: {
		name: "productAlerts/securityAdvisoryBulletins",
		attrs: []string{"bugIds", "bulletinFirstPublishedTimestamp", "bulletinLastUpdatedTimestamp",
			"bulletinMappingCaveat", "bulletinSummary", "bulletinTitle", "bulletinUrl", "bulletinVersion",
			"commonVulnerabilityScoringSystemBaseScore", "commonVulnerabilityScoringSystemTemporalScore", "cveIds",
			"securityAdvisoryColdId", "securityAdvisoryId", "securityImpactRating"},
		filters: []string{"securityAdvisoryId", "securityAdvisoryColdId", "securityImpactRating"},
		count:   func(w *world) int { return len(w.sab) },
		row:     advisoryBulletinRow,
	},
	epHardwareEoL: {
		name: "productAlerts/hardwareEndOfLife",
		attrs: []string{"currentEndOfLifeMilestone", "currentEndOfLifeMilestoneDate", "deviceId", "deviceName",
			"hardwareEndOfLifeId", "nextEndOfLifeMilestone", "nextEndOfLifeMilestoneDate", "physicalAssetId",
			"physicalAssetType", "productId"},
		filters: []string{"deviceId", "physicalAssetId", "hardwareEndOfLifeId", "productId"},
		count:   func(w *world) int { return len(w.hwItems) },
		row:     hardwareEoLRow,
	},
	epHardwareEoLBulletins: {
		name: "productAlerts/hardwareEndOfLifeBulletins",
		attrs: []string{"bulletinNumber", "bulletinTitle", "bulletinUrl", "endOfLifeAnnouncementDate",
			"endOfNewServiceAttachmentDate", "endOfRoutineFailureAnalysisDate", "endOfSaleDate",
			"endOfServiceContractRenewalDate", "endOfSoftwareMaintenanceReleasesDate",
			"endOfVulnerabilitySecuritySupportDate", "hardwareEndOfLifeId", "lastDayOfSupportDate", "lastShipDate",
			"productId", "replacementProductIds"},
		filters: []string{"hardwareEndOfLifeId", "productId", "bulletinNumber"},
		count:   func(w *world) int { return len(w.hwb) },
		row:     hardwareEoLBulletinRow,
	},
	epSoftwareEoL: {
		name: "productAlerts/softwareEndOfLife",
		attrs: []string{"currentEndOfLifeMilestone", "currentEndOfLifeMilestoneDate", "deviceId", "deviceName",
			"nextEndOfLifeMilestone", "nextEndOfLifeMilestoneDate", "softwareEndOfLifeId", "softwareType",
			"softwareVersion"},
		filters: []string{"deviceId", "softwareEndOfLifeId", "softwareVersion"},
		count:   func(w *world) int { return len(w.swItems) },
		row:     softwareEoLRow,
	},
	epSoftwareEoLBulletins: {
		name: "productAlerts/softwareEndOfLifeBulletins",
		attrs: []string{"bulletinNumber", "bulletinTitle", "bulletinUrl", "endOfLifeAnnouncementDate",
			"endOfSaleDate", "endOfSoftwareMaintenanceReleasesDate", "endOfVulnerabilitySecuritySupportDate",
			"lastDayOfSupportDate", "softwareEndOfLifeId", "softwareMaintenanceVersion", "softwareMajorVersion",
			"softwareTrain", "softwareType"},
		filters: []string{"softwareEndOfLifeId", "bulletinNumber"},
		count:   func(w *world) int { return len(w.swb) },
		row:     softwareEoLBulletinRow,
	},
	epLastReset: {
		name: "deviceReset/lastResetDetails",
		attrs: []string{"deviceId", "deviceIp", "deviceName", "inventoryTimestamp", "lastResetTimestamp",
			"productFamily", "productId", "resetReason", "resetType", "softwareType", "softwareVersion"},
		filters: []string{"deviceId", "productId"},
		count:   func(w *world) int { return len(w.resetDevs) },
		row:     lastResetRow,
		deps:    []int{epDevices},
	},
	epResetHistory: {
		name:    "deviceReset/resetHistory",
		attrs:   []string{"deviceId", "deviceIp", "deviceName", "productFamily", "productId", "resetDetails"},
		filters: []string{"deviceId", "productId"},
		count:   func(w *world) int { return len(w.resetDevs) },
		row:     resetHistoryRow,
		deps:    []int{epDevices},
	},
	epResetCount: {
		name:   "deviceReset/resetCount",
		attrs:  []string{"devicesCrashCount", "devicesReloadCount"},
		count:  func(*world) int { return 1 },
		row:    resetCountRow,
		single: true,
		deps:   []int{epDevices},
	},
	epContracts: {
		name: "contract/serials", idParam: "serialNumber",
		attrs: []string{"baseProductIdList", "contractSiteAddress", "contractSiteCity", "contractSiteCountry",
			"contractSiteCustomerName", "contractSiteShipDate", "contractSiteStateProvince", "coveredProductLineEndDate",
			"isCovered", "orderableProductIdList", "parentSerialNumber", "serialNumber", "serviceContractNumber",
			"serviceLineDescription", "warrantyEndDate", "warrantyType", "warrantyTypeDescription"},
		filters: []string{"isCovered", "serialNumber"},
		count:   func(w *world) int { return len(w.contracts) },
		row:     contractRow,
		find:    findContract,
		deps:    []int{epAssets},
	},
	// bulk/alerts carries every endpoint's data but the collectors'.
	epBulk: {name: bulkName, count: func(*world) int { return 0 }, row: func(_ *world, _ int, r []value) []value { return r[:0] },
		deps: []int{epDevices, epAssets, epFieldNotices, epFieldNoticeBulletins, epAdvisories, epAdvisoryBulletins, epHardwareEoL,
			epHardwareEoLBulletins, epSoftwareEoL, epSoftwareEoLBulletins, epLastReset, epResetHistory, epResetCount, epContracts}},
}

var epByName = map[string]int{}

func init() {
	for i := range endpoints {
		ep := &endpoints[i]
		epByName[ep.name] = i
		ep.attrIndex = make(map[string]int, len(ep.attrs))
		for k, a := range ep.attrs {
			ep.attrIndex[a] = k
		}
		ep.filterAttr = make(map[string]int, len(ep.filters))
		for _, f := range ep.filters {
			k, ok := ep.attrIndex[f]
			if !ok {
				panic("cxsim: filter " + f + " is not an attribute of " + ep.name)
			}
			ep.filterAttr[f] = k
		}
	}
}

func deviceRow(w *world, i int, r []value) []value {
	d := &w.devs[i]
	p := &products[d.prod]
	sv := &swVersions[d.sw]
	h := w.hash(d.id)
	c := w.collectorOf(i)
	name := w.deviceName(i)
	ip := w.deviceIP(i)
	created := w.created(i)
	last := w.resets(i, 1)[0]
	invTS := vt(c.lastUpload - int64((h>>40)%1800))
	cfgTS := vt(invTS.n - int64((h>>52)%600))
	inv := "Completed"
	if d.flags&flagInventoryNA != 0 {
		inv, invTS = "NotAvailable", vnull
	}
	cfg := "Completed"
	if d.flags&flagConfigFailed != 0 {
		cfg = "Failed"
	}
	var register, features, resetReason, contact, sysName string
	switch p.role {
	case roleRouter:
		register, features = "0x2102", "appxk9 securityk9 uck9"
	case roleSwitch:
		if sv.typ != "NX-OS" {
			register = "0x102"
		}
	}
	if p.role != roleAP {
		resetReason = last.reason
		contact, sysName = "noc@example.com", name
	}
	lastTS := vt(last.at)
	if w.noInventoryReset {
		lastTS = vnull
	}
	image := ""
	if p.image != "" {
		image = strings.Replace(p.image, "%s", sv.image, 1)
	}
	s := &w.sites[d.site]
	ct := &cities[s.city]
	return append(r[:0],
		vs(c.name), vs(register), vs(cfg), cfgTS, vt(created),
		vi(int64(d.id)), vs(ip), vs(name), vs(w.statuses[d.status]), vs("Managed Chassis"), vs(features), vs(image),
		vs(inv), invTS, vs(ip), vb(d.flags&flagSeedFile != 0), lastTS, vs(p.family),
		vs(p.pid), vs(p.ptype), vs(resetReason), vs(contact), vs(sysDescr(p, sv)), vs(ct.name+", "+ct.country+" / "+strings.ToUpper(s.label)),
		vs(sysName), vs(p.oid), vs(sv.typ), vs(sv.ver), vs(""), vs(""),
		vs(""), vs(""),
	)
}

func sysDescr(p *product, sv *swVersion) string {
	if p.role == roleAP {
		return ""
	}
	switch sv.typ {
	case "IOS-XE":
		return "Cisco IOS XE Software, Version " + sv.image
	case "IOS":
		return "Cisco IOS Software, Version " + sv.ver + ", RELEASE SOFTWARE (fc3)"
	case "NX-OS":
		return "Cisco NX-OS Software, Version " + sv.ver
	}
	return "Cisco Controller"
}

// findByID is the index of the row whose id is the decimal id, or -1;
// rows are in id order.
func findByID[R any](rows []R, id string, idOf func(*R) int32) int {
	n, err := strconv.ParseInt(id, 10, 32)
	if err != nil {
		return -1
	}
	i, ok := slices.BinarySearchFunc(rows, int32(n), func(r R, id int32) int { return int(idOf(&r) - id) })
	if !ok {
		return -1
	}
	return i
}

func findDevice(w *world, id string) int {
	return findByID(w.devs, id, func(d *device) int32 { return d.id })
}

func assetRow(w *world, i int, r []value) []value {
	a := &w.assets[i]
	d := &w.devs[a.dev]
	name := w.deviceName(int(a.dev))
	serial := w.serial(i)
	status := "Valid"
	if serial == "" {
		status = "N/A"
	}
	h := simkit.Mix(w.salt ^ uint64(a.id)<<1)
	if a.part < 0 {
		p := &products[d.prod]
		return append(r[:0],
			vs(name), vi(int64(d.id)), vs(name), vs("V0"+strconv.Itoa(int(1+h%6))), vi(p.flashMB),
			vi(p.memMB), vs("73-"+strconv.Itoa(int(10000+(h>>8)%90000))+"-0"+strconv.Itoa(int(1+(h>>32)%9))), vs("A0"), vi(int64(a.id)),
			vs(""), vs("Chassis"), vs(p.family), vs(p.pid), vs(p.ptype), vs(serial),
			vs(status), vs(""), vs(swVersions[d.sw].ver), vs("68-"+strconv.Itoa(int(1000+(h>>20)%9000))+"-0"+strconv.Itoa(int(1+(h>>40)%9))), vs("A0"),
		)
	}
	pt := &parts[a.part]
	rev, top, topRev := "", "", ""
	if serial != "" {
		rev, top, topRev = "V0"+strconv.Itoa(int(1+h%3)), "10-"+strconv.Itoa(int(1000+(h>>20)%9000))+"-0"+strconv.Itoa(int(1+(h>>40)%9)), "A0"
	}
	return append(r[:0],
		vs(name), vi(int64(d.id)), vs(name), vs(rev), vnull,
		vnull, vs(""), vs(""), vi(int64(a.id)),
		vs(pt.subtype), vs(pt.atype), vs(pt.family), vs(pt.pid), vs(pt.ptype), vs(serial),
		vs(status), vs(pt.slot+strconv.Itoa(int(a.slot))), vs(""), vs(top), vs(topRev),
	)
}

func findAsset(w *world, id string) int {
	return findByID(w.assets, id, func(a *asset) int32 { return a.id })
}

func collectorRow(w *world, i int, r []value) []value {
	c := &w.colls[i]
	return append(r[:0], vs(c.applianceID), vs(c.name), vs("Active"), vs(c.version), vi(1), vt(c.lastUpload))
}

func findCollector(w *world, id string) int {
	for i := range w.colls {
		if w.colls[i].applianceID == id {
			return i
		}
	}
	return -1
}

func fieldNoticeRow(w *world, i int, r []value) []value {
	m := &w.fns[i]
	d := &w.devs[m.dev]
	return append(r[:0], vi(int64(d.id)), vs(w.fnb[m.b].id), vs(confidences[m.conf]),
		vs(fnReasons[m.conf][m.reason]), vi(int64(w.assets[d.asset0].id)))
}

func fieldNoticeBulletinRow(w *world, i int, r []value) []value {
	b := &w.fnb[i]
	url := "https://www.cisco.com/c/en/us/support/docs/field-notices/" + b.id[:3] + "/fn" + b.id + ".html"
	return append(r[:0], vt(b.published), vt(b.updated), vs(fnCaveats[b.caveat]), vs(b.title), vs(url),
		vs(b.id), vs(fnTypes[b.typ]), vs(b.problem))
}

func advisoryRow(w *world, i int, r []value) []value {
	m := &w.sas[i]
	return append(r[:0], vi(int64(w.devs[m.dev].id)), vs(confidences[m.conf]), vs(saReasons[m.conf][m.reason]),
		vi(int64(w.sab[m.b].coldID)))
}

func advisoryBulletinRow(w *world, i int, r []value) []value {
	b := &w.sab[i]
	url := "https://sec.cloudapps.cisco.com/security/center/content/CiscoSecurityAdvisory/" + b.id
	return append(r[:0], vs(b.bugs), vt(b.published), vt(b.updated), vs(saCaveats[b.caveat]), vs(b.summary),
		vs(b.title), vs(url), vs(b.bver), vs(b.base), vs(b.temporal), vs(b.cves), vi(int64(b.coldID)), vs(b.id),
		vs(ratings[b.rating]))
}

func hardwareEoLRow(w *world, i int, r []value) []value {
	ai := int(w.hwItems[i])
	a := &w.assets[ai]
	b := &w.hwb[w.hwByPID[w.assetPID(ai)]]
	typ := "Chassis"
	if a.part >= 0 {
		typ = parts[a.part].atype
	}
	return append(r[:0], vs(b.ms.cur), vd(b.ms.curDate), vi(int64(w.devs[a.dev].id)), vs(w.deviceName(int(a.dev))),
		vi(int64(b.id)), vs(b.ms.next), vd(b.ms.nextDate), vi(int64(a.id)), vs(typ), vs(b.pid))
}

func hardwareEoLBulletinRow(w *world, i int, r []value) []value {
	b := &w.hwb[i]
	dt := &b.dates
	return append(r[:0], vs(b.number), vs(b.title), vs(b.url), vd(dt[hwAnn]),
		vd(dt[hwEoNSA]), vd(dt[hwEoRFA]), vd(dt[hwEoS]),
		vd(dt[hwEoSCR]), vd(dt[hwEoSWM]),
		vd(dt[hwEoVSS]), vi(int64(b.id)), vd(dt[hwLDoS]), vd(dt[hwLastShip]),
		vs(b.pid), vlist(b.replacement))
}

func softwareEoLRow(w *world, i int, r []value) []value {
	di := int(w.swItems[i])
	d := &w.devs[di]
	sv := &swVersions[d.sw]
	b := &w.swb[w.swByEol[sv.eol]]
	return append(r[:0], vs(b.ms.cur), vd(b.ms.curDate), vi(int64(d.id)), vs(w.deviceName(di)),
		vs(b.ms.next), vd(b.ms.nextDate), vi(int64(b.id)), vs(sv.typ), vs(sv.ver))
}

func softwareEoLBulletinRow(w *world, i int, r []value) []value {
	b := &w.swb[i]
	sp := &swEolSpecs[b.spec]
	dt := &b.dates
	return append(r[:0], vs(sp.number), vs(sp.title), vs(b.url), vd(dt[swAnn]),
		vd(dt[swEoS]), vd(dt[swEoSWM]), vd(dt[swEoVSS]),
		vd(dt[swLDoS]), vi(int64(b.id)), vs(sp.maint), vs(sp.major),
		vs(sp.train), vs(sp.typ))
}
