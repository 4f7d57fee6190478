package primeinfra

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nmsexporter/nms_exporter/model"
)

type (
	radioEntity = dto[radioDetail]
	loadEntity  = dto[loadStat]
)

// radioKey joins a radio's RadioDetails row and its RFLoadStats rows.
type radioKey struct {
	mac  string
	slot int64
}

// Radios fetches every radio's state (RadioDetails) and its latest load
// (RFLoadStats), joined by base radio MAC and slot.
func (c *Client) Radios(ctx context.Context) (*Radios, error) {
	details := map[radioKey]radioDetail{}
	_, err := walk(ctx, c, "RadioDetails", nil, func(page []radioEntity) {
		for _, e := range page {
			r := e.DTO
			mac := r.BaseRadioMac.mac()
			if mac == "" {
				mac = "ap " + r.APName // joins no load row, but keeps the radio
			}
			details[radioKey{mac, r.SlotID.n}] = r
		}
	})
	if err != nil {
		return nil, fmt.Errorf("RadioDetails: %w", err)
	}
	// Prime keeps the latest sample of each radio; should a server keep
	// more, the newest is read.
	loads := map[radioKey]loadStat{}
	_, err = walk(ctx, c, "RFLoadStats", nil, func(page []loadEntity) {
		for _, e := range page {
			l := e.DTO
			k := radioKey{l.MacAddress.mac(), l.SlotID.n}
			if old, ok := loads[k]; !ok || l.CollectionTime >= old.CollectionTime {
				loads[k] = l
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("RFLoadStats: %w", err)
	}
	return newRadios(details, loads), nil
}

// newRadios builds the radios the exporter shows: enabled, up, on a known
// band. An AP with two radios on one band (a flexible radio set to the
// band of the other) shows its lower slot's, as a series is one radio.
func newRadios(details map[radioKey]radioDetail, loads map[radioKey]loadStat) *Radios {
	type pick struct {
		key   radioKey
		radio model.Radio
	}
	picked := map[[2]string]pick{}
	for k, r := range details {
		band := radioBand(r.RadioBand, r.RadioType)
		if r.APName == "" || band == "" || strings.EqualFold(r.AdminStatus, "DISABLE") ||
			(r.OperStatus != "" && !strings.EqualFold(r.OperStatus, "UP")) {
			continue
		}
		id := [2]string{r.APName, band}
		if p, ok := picked[id]; ok && cmp.Or(cmp.Compare(p.key.slot, k.slot), strings.Compare(p.key.mac, k.mac)) < 0 {
			continue
		}
		mr := model.Radio{Device: r.APName, Band: band, Channel: channelOf(string(r.ChannelNumber)),
			BandwidthHertz: widthOf(string(r.ChannelWidth)), TransmitPowerDBm: r.TxPowerOutput.float(), Clients: r.ClientCount.float()}
		if l, ok := loads[k]; ok {
			if mr.Clients == nil {
				mr.Clients = l.ClientCount.float()
			}
			for kind, p := range [...]flexInt{model.UtilizationAll: l.ChannelUtilization, model.UtilizationTx: l.TxUtilization} {
				if p.set && p.n >= 0 && p.n <= 100 {
					mr.Utilization.Set(model.UtilizationKind(kind), float64(p.n)/100)
				}
			}
		}
		picked[id] = pick{k, mr}
	}
	out := &Radios{Radios: make([]model.Radio, 0, len(picked))}
	for _, p := range picked {
		out.Radios = append(out.Radios, p.radio)
	}
	slices.SortFunc(out.Radios, func(a, b model.Radio) int {
		return cmp.Or(cmp.Compare(a.Device, b.Device), cmp.Compare(a.Band, b.Band))
	})
	return out
}

// float returns the value, or nil when absent.
func (f flexInt) float() *float64 {
	if !f.set {
		return nil
	}
	v := float64(f.n)
	return &v
}

// radioBand reads the band from radioBand ("2.4 GHz", "5 GHz"; since
// Prime 3.6), else from radioType (UnifiedRadioTypeEnum: "802.11b/g/n",
// "802.11a/n/ac/ax", "XOR (2.4GHz)"); "" when neither tells, as for a
// flexible radio in monitor mode.
func radioBand(band, radioType string) string {
	for _, s := range []string{band, radioType} {
		s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
		switch {
		case strings.Contains(s, "2.4ghz"):
			return "2.4"
		case strings.Contains(s, "5ghz"):
			return "5"
		case strings.Contains(s, "6ghz"):
			return "6"
		}
	}
	switch t := strings.ToLower(radioType); {
	case strings.HasPrefix(t, "802.11b"), strings.HasPrefix(t, "802.11g"):
		return "2.4"
	case strings.HasPrefix(t, "802.11a"):
		return "5"
	}
	return ""
}

// channelOf reads a ChannelNumberEnum value: "_36" as cpiapi lists the
// enum, or "36"; nil for UNKNOWN.
func channelOf(s string) *float64 {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "_"))
	if err != nil || n <= 0 {
		return nil
	}
	v := float64(n)
	return &v
}

// widthRE reads a ChannelBandwidthEnum value: "20 MHz", "80MHz", and
// "Above 40 MHz" or "Below 40 MHz" (40 MHz, the second channel above or
// below the first).
var widthRE = regexp.MustCompile(`(?i)^(?:above\s*|below\s*)?(\d+)\s*(?:mhz)?$`)

// widthOf is a channel width in hertz; nil for NOTAPPLICABLE and what it
// cannot read.
func widthOf(s string) *float64 {
	m := widthRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return nil
	}
	v := float64(n) * 1e6
	return &v
}
