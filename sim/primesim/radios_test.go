package primesim

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

type radioItem struct {
	ID                  int64                     `json:"@id"`
	AdminStatus         string                    `json:"adminStatus"`
	APName              string                    `json:"apName"`
	APIPAddress         *struct{ Address string } `json:"apIpAddress"`
	BaseRadioMac        octets                    `json:"baseRadioMac"`
	EthernetMac         octets                    `json:"ethernetMac"`
	ChannelNumber       string                    `json:"channelNumber"`
	ChannelWidth        string                    `json:"channelWidth"`
	ClientCount         int                       `json:"clientCount"`
	ControllerIPAddress *struct{ Address string } `json:"controllerIpAddress"`
	OperStatus          string                    `json:"operStatus"`
	PowerLevel          int                       `json:"powerLevel"`
	RadioBand           *string                   `json:"radioBand"`
	RadioType           string                    `json:"radioType"`
	SlotID              int                       `json:"slotId"`
	TxPowerOutput       *int                      `json:"txPowerOutput"`
}

type loadItem struct {
	ID                  int64  `json:"@id"`
	ChannelUtilization  int    `json:"channelUtilization"`
	TxUtilization       int    `json:"txUtilization"`
	RxUtilization       int    `json:"rxUtilization"`
	ClientCount         int    `json:"clientCount"`
	CollectionTime      int64  `json:"collectionTime"`
	MacAddress          octets `json:"macAddress"`
	EthernetMac         octets `json:"ethernetMac"`
	SlotID              int    `json:"slotId"`
	PoorCoverageClients *int   `json:"poorCoverageClients"`
}

type radioKey struct {
	mac  string
	slot int
}

// TestRadioDetails: two radios per AP, their clients adding up to the
// AP's as AccessPointDetails gives them, values as cpiapi's enums spell
// them.
func TestRadioDetails(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 9, Size: "medium"}))
	aps := walkAll[apItem](h, "AccessPointDetails", "", 1000)
	radios, raws := walkDTOs[radioItem](h, "RadioDetails", "", 1000)
	if len(radios) != 2*len(aps) || h.S.Sizes().Radios != len(radios) {
		t.Fatalf("RadioDetails = %d entities, Sizes %d; want two per AP of %d", len(radios), h.S.Sizes().Radios, len(aps))
	}
	if raws[0].DTOType != "radioDetailsDTO" || len(raws[0].Keys) != 1 || raws[0].Keys[0] != "radioDetailsDTO" {
		t.Errorf("entity @dtoType %q, keys %v; want radioDetailsDTO", raws[0].DTOType, raws[0].Keys)
	}
	byAP := map[string][]radioItem{}
	var last int64
	for _, r := range radios {
		if r.ID <= last {
			t.Errorf("@id %d after %d; want ascending", r.ID, last)
		}
		last = r.ID
		byAP[r.APName] = append(byAP[r.APName], r)
	}
	chanRE := regexp.MustCompile(`^_(\d+)$`)
	widthRE := regexp.MustCompile(`^(20|40|80|160) MHz$`)
	down := 0
	for _, a := range aps {
		rs := byAP[a.Name]
		if len(rs) != 2 || rs[0].SlotID != 0 || rs[1].SlotID != 1 {
			t.Fatalf("AP %s radios %+v; want slots 0 and 1", a.Name, rs)
		}
		if rs[0].ClientCount != a.ClientCount24 || rs[1].ClientCount != a.ClientCount5 || rs[0].ClientCount+rs[1].ClientCount != a.ClientCount {
			t.Errorf("AP %s: radio clients %d + %d; want its %d (2.4 GHz %d, 5 GHz %d)",
				a.Name, rs[0].ClientCount, rs[1].ClientCount, a.ClientCount, a.ClientCount24, a.ClientCount5)
		}
		up := a.ReachabilityStatus == "REACHABLE"
		if !up {
			down++
		}
		for _, r := range rs {
			m := chanRE.FindStringSubmatch(r.ChannelNumber)
			ch := -1
			if m != nil {
				ch, _ = strconv.Atoi(m[1])
			}
			band, chans := "2.4 GHz", chans24
			if r.SlotID == 1 {
				band, chans = "5 GHz", chans5
			}
			if !slices.Contains(chans, ch) || !widthRE.MatchString(r.ChannelWidth) || r.RadioBand == nil || *r.RadioBand != band ||
				(r.SlotID == 0 && r.ChannelWidth != "20 MHz") {
				t.Errorf("AP %s slot %d: channel %q, width %q, band %v; want a %s channel as _<n> and a width as <n> MHz",
					a.Name, r.SlotID, r.ChannelNumber, r.ChannelWidth, r.RadioBand, band)
			}
			if r.BaseRadioMac != a.MacAddress || r.EthernetMac != a.EthernetMac || r.AdminStatus != "ENABLE" {
				t.Errorf("AP %s radio: MACs %v %v, admin %s; want the AP's and ENABLE", a.Name, r.BaseRadioMac, r.EthernetMac, r.AdminStatus)
			}
			if r.TxPowerOutput == nil || *r.TxPowerOutput > 23 || r.PowerLevel < 1 || r.PowerLevel > 8 {
				t.Errorf("AP %s radio: tx power %v dBm at level %d; want at most 23 dBm, level 1 to 8", a.Name, r.TxPowerOutput, r.PowerLevel)
			}
			if (r.OperStatus == "UP") != up || (r.APIPAddress != nil) != up || (r.ControllerIPAddress != nil) != up {
				t.Errorf("AP %s (%s) radio: operStatus %s, AP address %v, controller %v; want UP with both only while reachable",
					a.Name, a.ReachabilityStatus, r.OperStatus, r.APIPAddress, r.ControllerIPAddress)
			}
		}
		if !strings.Contains(rs[1].RadioType, "802.11a") || !(rs[0].RadioType == "802.11b/g/n" || rs[0].RadioType == "XOR (2.4GHz)") {
			t.Errorf("AP %s radio types %q, %q; want UnifiedRadioTypeEnum values of their bands", a.Name, rs[0].RadioType, rs[1].RadioType)
		}
	}
	if down == 0 {
		t.Fatalf("test data has no unreachable AP")
	}
	if got := countOf(h, "RadioDetails", "slotId=1&operStatus=UP"); got != len(aps)-down {
		t.Errorf("@count of slot 1 radios UP = %d; want %d", got, len(aps)-down)
	}
}

// TestRFLoadStats: the latest sample of each reachable AP's radios,
// joined to RadioDetails by base radio MAC and slot.
func TestRFLoadStats(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 9}))
	radios, _ := walkDTOs[radioItem](h, "RadioDetails", "", 1000)
	byKey := map[radioKey]radioItem{}
	up := 0
	for _, r := range radios {
		byKey[radioKey{r.BaseRadioMac.Octets, r.SlotID}] = r
		if r.OperStatus == "UP" {
			up++
		}
	}
	loads, raws := walkDTOs[loadItem](h, "RFLoadStats", "", 1000)
	if len(loads) != up || h.S.Sizes().LoadStatsRows != up {
		t.Fatalf("RFLoadStats = %d entities, Sizes %d; want one per radio of a reachable AP, %d", len(loads), h.S.Sizes().LoadStatsRows, up)
	}
	if raws[0].DTOType != DefaultLoadStatsDTOKey || len(raws[0].Keys) != 1 || raws[0].Keys[0] != DefaultLoadStatsDTOKey {
		t.Errorf("entity @dtoType %q, keys %v; want %s", raws[0].DTOType, raws[0].Keys, DefaultLoadStatsDTOKey)
	}
	step := LoadStatsInterval.Milliseconds()
	want := testStart.UnixMilli() / step * step
	seen := map[radioKey]bool{}
	for _, l := range loads {
		k := radioKey{l.MacAddress.Octets, l.SlotID}
		r, ok := byKey[k]
		if !ok || seen[k] || r.OperStatus != "UP" || r.EthernetMac != l.EthernetMac || r.ClientCount != l.ClientCount {
			t.Errorf("load %+v; want one per UP radio of RadioDetails, with its ethernet MAC and clients", l)
		}
		seen[k] = true
		if l.CollectionTime != want {
			t.Errorf("collectionTime %d; want the last 20-minute mark %d", l.CollectionTime, want)
		}
		if l.ChannelUtilization < 0 || l.ChannelUtilization > 100 || l.TxUtilization < 0 || l.RxUtilization < 0 ||
			l.TxUtilization+l.RxUtilization > l.ChannelUtilization || l.PoorCoverageClients == nil {
			t.Errorf("load %+v; want percentages, tx + rx within the channel's, poorCoverageClients", l)
		}
	}
	var info []RadioInfo
	for _, ri := range h.S.Radios() {
		if ri.Up {
			info = append(info, ri)
		}
	}
	for i, ri := range info {
		if l := loads[i]; ri.ChannelUtilization != l.ChannelUtilization || ri.TxUtilization != l.TxUtilization {
			t.Errorf("Radios()[%s %d] utilization %d/%d; served %d/%d", ri.AP, ri.Slot, ri.ChannelUtilization, ri.TxUtilization, l.ChannelUtilization, l.TxUtilization)
		}
	}

	// An AP taken down has no load sample; Step takes a new sample, with
	// new ids.
	name := radios[0].APName
	if err := h.S.SetAPReachable(name, false); err != nil {
		t.Fatal(err)
	}
	if got := countOf(h, "RFLoadStats", ""); got != up-2 {
		t.Errorf("RFLoadStats with %s down = %d; want %d", name, got, up-2)
	}
	h.Clock.Add(LoadStatsInterval)
	h.S.Step()
	after, _ := walkDTOs[loadItem](h, "RFLoadStats", "", 1000)
	if after[0].CollectionTime <= want || after[0].ID <= loads[len(loads)-1].ID {
		t.Errorf("after Step: collectionTime %d, first @id %d; want after %d, new ids above %d", after[0].CollectionTime, after[0].ID, want, loads[len(loads)-1].ID)
	}
}

func TestRadioOptions(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 9, PlainChannelNumbers: true, CompactChannelWidths: true, NoRadioBand: true, NoTxPowerOutput: true}))
	radios, _ := walkDTOs[radioItem](h, "RadioDetails", "", 1000)
	if n := h.S.Sizes().Radios; len(radios) != n || n == 0 {
		t.Fatalf("RadioDetails = %d entities; want Sizes' %d (> 0)", len(radios), n)
	}
	for _, r := range radios {
		if !regexp.MustCompile(`^\d+$`).MatchString(r.ChannelNumber) || !regexp.MustCompile(`^\d+MHz$`).MatchString(r.ChannelWidth) ||
			r.RadioBand != nil || r.TxPowerOutput != nil {
			t.Fatalf("radio %+v; want channel as <n>, width as <n>MHz, no radioBand, no txPowerOutput", r)
		}
	}

	h = newHarness(t, relaxed(Options{Seed: 9, LoadStatsDTOKey: "rFLoadStatsDTO", LoadStatsDTOType: "RFLoadStatsDTO", LoadStatsSamples: 3}))
	loads, raws := walkDTOs[loadItem](h, "RFLoadStats", "", 1000)
	if raws[0].DTOType != "RFLoadStatsDTO" || raws[0].Keys[0] != "rFLoadStatsDTO" {
		t.Errorf("entity @dtoType %q, keys %v; want @dtoType RFLoadStatsDTO over the key rFLoadStatsDTO", raws[0].DTOType, raws[0].Keys)
	}
	z := h.S.Sizes()
	times := map[radioKey][]int64{}
	var last int64
	for _, l := range loads {
		k := radioKey{l.MacAddress.Octets, l.SlotID}
		times[k] = append(times[k], l.CollectionTime)
		if l.ID <= last {
			t.Errorf("@id %d after %d; want ascending", l.ID, last)
		}
		last = l.ID
	}
	step := LoadStatsInterval.Milliseconds()
	for k, ts := range times {
		if len(ts) != 3 || ts[1]-ts[0] != step || ts[2]-ts[1] != step {
			t.Fatalf("radio %v sample times %v; want three, 20 minutes apart, oldest first", k, ts)
		}
	}
	if len(loads) != z.LoadStatsRows || len(times)*3 != len(loads) {
		t.Errorf("%d rows for %d radios, Sizes %d; want three each", len(loads), len(times), z.LoadStatsRows)
	}
	latest := times[radioKey{loads[0].MacAddress.Octets, loads[0].SlotID}][2]
	if got := countOf(h, "RFLoadStats", fmt.Sprintf("collectionTime=gte(%d)", latest)); got != len(times) {
		t.Errorf("@count of the latest sample = %d; want one per radio, %d", got, len(times))
	}
	for _, o := range []Options{{LoadStatsSamples: 4}, {LoadStatsSamples: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) error = nil; want an error", o)
		}
	}
}

// TestRadiosStep: RRM moves some radios to other channels; clients follow
// the AP's.
func TestRadiosStep(t *testing.T) {
	h := newHarness(t, relaxed(Options{Seed: 9, Size: "medium"}))
	before := h.S.Radios()
	h.Clock.Add(5 * time.Minute)
	h.S.Step()
	after := h.S.Radios()
	moved := 0
	for i := range before {
		if before[i].Channel != after[i].Channel || before[i].TxPowerDBm != after[i].TxPowerDBm {
			moved++
		}
	}
	if moved == 0 || moved > len(before)/20 {
		t.Errorf("%d of %d radios changed channel or power in a step; want a few", moved, len(before))
	}
	clients := map[string]int{}
	for _, r := range after {
		clients[r.AP] += r.Clients
	}
	for _, a := range h.S.APs() {
		if clients[a.Name] != a.Clients {
			t.Fatalf("AP %s radios' clients = %d after Step; want its %d", a.Name, clients[a.Name], a.Clients)
		}
	}
}
