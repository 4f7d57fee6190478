// Package cxsource is the Cisco CX Cloud adapter: the collections a cxcloud source
// offers, read back typed, and the series they render.
package cxsource

import (
	"slices"
	"time"

	"github.com/nmsexporter/nms_exporter/collector"
	"github.com/nmsexporter/nms_exporter/config"
	"github.com/nmsexporter/nms_exporter/exposition"
	"github.com/nmsexporter/nms_exporter/model"
	"github.com/nmsexporter/nms_exporter/vendors"
	"github.com/nmsexporter/nms_exporter/vendors/cxcloud"
)

// The collections of a cxcloud source.
var (
	cxInventory    = collector.NewKey[*cxcloud.Inventory]("inventory")
	cxFieldNotices = collector.NewKey[*cxcloud.FieldNotices]("field_notices")
	cxAdvisories   = collector.NewKey[*cxcloud.Advisories]("advisories")
	cxEox          = collector.NewKey[*cxcloud.EndOfLife]("eox")
	cxContracts    = collector.NewKey[*cxcloud.Contracts]("contracts")
	cxResets       = collector.NewKey[*cxcloud.Resets]("resets")
)

// Lifecycle families, shared by every vendor that reports them.
var (
	fieldNoticeDevicesDesc = exposition.NewFamily("field_notice_devices", "Devices each field notice applies to, by match confidence.",
		"field_notice", "match_confidence")
	advisoryDevicesDesc = exposition.NewFamily("security_advisory_devices",
		"Devices each security advisory applies to (vulnerable or potentially vulnerable), by impact.", "advisory", "impact")
	endOfSupportDesc = exposition.NewFamily("device_end_of_support_timestamp_seconds",
		"End-of-life milestones of a device or one of its parts, in unix seconds.", "device", "serial", "milestone")
	advisoryCVSSDesc = exposition.NewFamily("security_advisory_cvss_base_score",
		"The CVSS base score of each security advisory (0 to 10), where its bulletin gives one.", "advisory")
	contractCoveredDesc = exposition.NewFamily("device_contract_covered",
		"1 while a service contract covers the device, 0 when none does.", "device", "serial")
	contractEndDesc = exposition.NewFamily("device_contract_end_timestamp_seconds",
		"When the service contract covering the device ends, in unix seconds.", "device", "serial")
	warrantyEndDesc = exposition.NewFamily("device_warranty_end_timestamp_seconds",
		"When the device's hardware warranty ends, in unix seconds.", "device", "serial")
)

// CX Cloud-only families.
var (
	cxFieldNoticeInfoDesc = exposition.NewFamily("cxcloud_field_notice_info", "One series per field notice CX Cloud knows, value 1.",
		"field_notice", "type", "title", "url")
	cxAdvisoryInfoDesc = exposition.NewFamily("cxcloud_security_advisory_info", "One series per security advisory CX Cloud knows, value 1.",
		"advisory", "impact", "title", "url")
	cxDataProcessedDesc = exposition.NewFamily("cxcloud_data_processed_timestamp_seconds",
		"When CX Cloud last processed the tenant's data, from the Last-Modified of the collection's answers, in unix seconds.", "collection")
	cxCollectorInfoDesc = exposition.NewFamily("cxcloud_collector_info", "One series per CX Cloud collector, value 1.",
		"collector", "collector_name", "status", "version")
	cxCollectorLastUploadDesc = exposition.NewFamily("cxcloud_collector_last_upload_timestamp_seconds",
		"When the collector last uploaded to CX Cloud, in unix seconds; absent when it never did.", "collector")
	cxCollectorIntervalDesc = exposition.NewFamily("cxcloud_collector_upload_interval_seconds",
		"How often the collector is expected to make a full upload.", "collector")
	cxAdvisoryCVEDesc = exposition.NewFamily("cxcloud_security_advisory_cve_info",
		"One series per CVE a security advisory covers, value 1.", "advisory", "cve")
	cxLastResetDesc = exposition.NewFamily("cxcloud_device_last_reset_timestamp_seconds",
		"When the device last reset, in unix seconds, by the type of the reset (crash, reload).", "device", "reset_type")
	cxLastResetInfoDesc = exposition.NewFamily("cxcloud_device_last_reset_info",
		"The type and reason of the device's last reset, value 1.", "device", "reset_type", "reason")
	cxResetsDesc = exposition.NewFamily("cxcloud_device_resets",
		"The resets CX Cloud keeps in the device's history, by type.", "device", "reset_type")
	cxContractInfoDesc = exposition.NewFamily("cxcloud_contract_info",
		"One series per device CX Cloud has contract data for, value 1: the service line and warranty type.",
		"device", "serial", "service_line", "warranty_type")
)

// Vendor is the Cisco CX Cloud vendor: its config key, hold cap (a daily quota per tenant) and
// adapter.
var Vendor = collector.NewVendor("cxcloud", 24*time.Hour, build)

func build(cfg *config.CXCloud, env collector.Env) (*collector.Parts, error) {
	pace := vendors.BudgetFor(cfg.Budget)
	// One at a time: a burst could cross the API's per-second limit within
	// one clock second.
	pace.Burst = 1
	budget := env.Budget(pace)
	etags := vendors.NewETagStore()
	client, err := cxcloud.New(cfg, cxcloud.Options{UserAgent: env.UserAgent, Budget: budget, Recorder: env.API, ETags: etags, Now: env.Now,
		Log: env.Log})
	if err != nil {
		return nil, err
	}
	kinds := []collector.Kind{
		collector.Collect(cxInventory, client.Inventory, func(i *cxcloud.Inventory) int { return len(i.Devices) }),
		collector.Collect(cxFieldNotices, client.FieldNotices, func(f *cxcloud.FieldNotices) int { return f.Total }),
		collector.Collect(cxAdvisories, client.Advisories, func(a *cxcloud.Advisories) int { return a.Total }),
		collector.Collect(cxEox, client.EndOfLife, func(e *cxcloud.EndOfLife) int { return len(e.Milestones) }),
		collector.Collect(cxContracts, client.Contracts, func(c *cxcloud.Contracts) int { return len(c.Coverage) }),
		collector.Collect(cxResets, client.Resets, func(r *cxcloud.Resets) int { return len(r.Resets) }),
	}
	p := &collector.Parts{Collections: kinds, Render: render, Budget: budget, ETags: etags,
		Identity: cfg.URL() + " " + cfg.ClientID}
	p.Devices = devices
	p.Close = client.Close
	return p, nil
}

// devices are the inventory's devices; one whose inventory record has no
// last reset takes its uptime, as of the inventory's reading as the others'
// are, from the resets collection's last reset of it, where that knows one.
// The inventory's own list is shared, so it is copied only when a device
// needs the uptime.
func devices(d collector.Data) []model.Device {
	inv, ok := collector.Get(d, cxInventory)
	if !ok {
		return nil
	}
	r, ok := collector.Get(d, cxResets)
	if !ok || inv.At == 0 {
		return inv.Devices
	}
	var last map[string]int64
	var out []model.Device
	for i, dev := range inv.Devices {
		if dev.Uptime > 0 {
			continue
		}
		if last == nil {
			last = make(map[string]int64, len(r.Resets))
			for _, rs := range r.Resets {
				if rs.At > 0 {
					last[rs.Device] = rs.At
				}
			}
		}
		at, ok := last[dev.Name]
		if !ok || at >= inv.At {
			continue
		}
		if out == nil {
			out = slices.Clone(inv.Devices)
		}
		out[i].Uptime = float64(inv.At - at)
	}
	if out == nil {
		return inv.Devices
	}
	return out
}

func render(out *exposition.Sink, d collector.Data) {
	processed := func(collection string, at int64) {
		if at > 0 {
			out.Gauge(cxDataProcessedDesc, float64(at), collection)
		}
	}
	if inv, ok := collector.Get(d, cxInventory); ok {
		exposition.Devices(out, devices(d))
		processed("inventory", inv.LastModified)
		for _, c := range inv.Collectors {
			out.Gauge(cxCollectorInfoDesc, 1, c.ID, c.Name, c.Status, c.Version)
			if c.LastUpload > 0 {
				out.Gauge(cxCollectorLastUploadDesc, float64(c.LastUpload), c.ID)
			}
			if c.UploadInterval > 0 {
				out.Gauge(cxCollectorIntervalDesc, c.UploadInterval, c.ID)
			}
		}
	}
	if f, ok := collector.Get(d, cxFieldNotices); ok {
		processed("field_notices", f.LastModified)
	}
	if a, ok := collector.Get(d, cxAdvisories); ok {
		processed("advisories", a.LastModified)
	}
	if e, ok := collector.Get(d, cxEox); ok {
		processed("eox", e.LastModified)
	}
	if c, ok := collector.Get(d, cxContracts); ok {
		processed("contracts", c.LastModified)
		renderContracts(out, c)
	}
	if r, ok := collector.Get(d, cxResets); ok {
		processed("resets", r.LastModified)
		for _, rs := range r.Resets {
			if rs.At > 0 {
				out.Gauge(cxLastResetDesc, float64(rs.At), rs.Device, rs.Type)
			}
			out.Gauge(cxLastResetInfoDesc, 1, rs.Device, rs.Type, rs.Reason)
			for typ, n := range rs.Counts {
				out.Gauge(cxResetsDesc, float64(n), rs.Device, typ)
			}
		}
	}
	if f, ok := collector.Get(d, cxFieldNotices); ok {
		for _, c := range f.Counts {
			out.Gauge(fieldNoticeDevicesDesc, float64(c.Devices), c.FieldNotice, c.MatchConfidence)
		}
		for _, n := range f.Notices {
			out.Gauge(cxFieldNoticeInfoDesc, 1, n.ID, n.Type, n.Title, n.URL)
		}
	}
	if a, ok := collector.Get(d, cxAdvisories); ok {
		for _, c := range a.Counts {
			out.Gauge(advisoryDevicesDesc, float64(c.Devices), c.Advisory, c.Impact)
		}
		for _, adv := range a.Advisories {
			out.Gauge(cxAdvisoryInfoDesc, 1, adv.ID, adv.Impact, adv.Title, adv.URL)
			if adv.CVSS != nil {
				out.Gauge(advisoryCVSSDesc, *adv.CVSS, adv.ID)
			}
			for _, cve := range adv.CVEs {
				out.Gauge(cxAdvisoryCVEDesc, 1, adv.ID, cve)
			}
		}
	}
	if e, ok := collector.Get(d, cxEox); ok {
		for _, m := range e.Milestones {
			out.Gauge(endOfSupportDesc, float64(m.At), m.Device, m.Serial, m.Milestone)
		}
	}
}

func renderContracts(out *exposition.Sink, c *cxcloud.Contracts) {
	for _, cov := range c.Coverage {
		if cov.Covered != nil {
			covered := 0.0
			if *cov.Covered {
				covered = 1
			}
			out.Gauge(contractCoveredDesc, covered, cov.Device, cov.Serial)
		}
		if cov.ContractEnd != 0 {
			out.Gauge(contractEndDesc, float64(cov.ContractEnd), cov.Device, cov.Serial)
		}
		if cov.WarrantyEnd != 0 {
			out.Gauge(warrantyEndDesc, float64(cov.WarrantyEnd), cov.Device, cov.Serial)
		}
		out.Gauge(cxContractInfoDesc, 1, cov.Device, cov.Serial, cov.ServiceLine, cov.WarrantyType)
	}
}
