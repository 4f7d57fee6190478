package collector

import (
	"slices"

	"github.com/nmsexporter/nms_exporter/model"
)

// SotIndex finds a source of truth's record of a vendor source's device.
type SotIndex struct {
	byDevice map[string]model.SotDevice // by the vendor's device name (NameKey)
	byName   map[string]model.SotDevice // the records by their own name (NameKey)
}

// Device returns the source of truth's record of the device a vendor
// source names: the one with the serial number of the vendor's device of
// that name, or, for a device without a serial or one the vendor's device
// list lacks (as an alarm's device may), the one of that name. Matching is
// the drift's (nms_sot_drift_devices): serials ignore case and spaces,
// names ignore case.
func (x *SotIndex) Device(name string) (model.SotDevice, bool) {
	if x == nil || name == "" {
		return model.SotDevice{}, false
	}
	k := model.NameKey(name)
	if d, ok := x.byDevice[k]; ok {
		return d, d.Name != "" || d.Serial != ""
	}
	d, ok := x.byName[k]
	return d, ok
}

type sotMemo struct {
	truth        *Source
	own, ofTruth uint64 // the data versions it was made of
	index        *SotIndex
}

// Describes names the sources this one is the source of truth for; the
// list is shared: callers must not change it.
func (s *Source) Describes() []string {
	if s.SotDeviceList == nil {
		return nil
	}
	return s.dependsOn
}

// SotOf returns the records the source of truth truth keeps of s's
// devices, made once per version of both sources' data; nil when truth
// records no devices or does not describe s.
func (s *Source) SotOf(truth *Source) *SotIndex {
	if truth == nil || truth.SotDeviceList == nil || !slices.Contains(truth.dependsOn, s.Name) {
		return nil
	}
	own, ofTruth := s.cache.dataVersion(), truth.cache.dataVersion()
	if m := s.sotMemo.Load(); m != nil && m.truth == truth && m.own == own && m.ofTruth == ofTruth {
		return m.index
	}
	// The versions are read before the data, so a change in between makes
	// the next call build again rather than keep a stale index.
	idx := buildSotIndex(truth.SotDeviceList(truth.cache.data()), s.devicesOf(s.cache.view()))
	s.sotMemo.Store(&sotMemo{truth: truth, own: own, ofTruth: ofTruth, index: idx})
	return idx
}

// buildSotIndex joins the source of truth's records with a vendor's
// devices as the drift does: by serial where the vendor's device has one,
// else by name.
func buildSotIndex(sot []model.SotDevice, devices []model.Device) *SotIndex {
	if sot == nil {
		return nil
	}
	x := &SotIndex{byDevice: make(map[string]model.SotDevice, len(devices)), byName: make(map[string]model.SotDevice, len(sot))}
	bySerial := make(map[string]model.SotDevice, len(sot))
	for _, d := range sot {
		if k := model.SerialKey(d.Serial); k != "" {
			bySerial[k] = d
		}
		if k := model.NameKey(d.Name); k != "" {
			x.byName[k] = d
		}
	}
	for _, d := range devices {
		name := model.NameKey(d.Name)
		if name == "" {
			continue
		}
		if serial := model.SerialKey(d.Serial); serial != "" {
			// A device with a serial the source of truth lacks is not
			// matched by name: the drift counts it missing.
			x.byDevice[name] = bySerial[serial]
			continue
		}
		if r, ok := x.byName[name]; ok {
			x.byDevice[name] = r
		}
	}
	return x
}
