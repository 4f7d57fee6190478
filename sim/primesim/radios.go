package primesim

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// RadioDetails and RFLoadStats follow cpiapi's catalogue of a production
// Prime 3.x over v4 (cpitables.py, with its enums in cpitable.py): one
// RadioDetails row per radio, the radio's current state, and in
// RFLoadStats the latest load sample of each radio whose AP reports, as
// the view cpiapi keeps beside it selects (the newest sample of each
// radio within the last hour). Every AP has two radios: slot 0 on 2.4 GHz
// (a flexible "XOR" radio on the 2800 and 3800 series), slot 1 on 5 GHz.
// Where the catalogue leaves a spelling open an Option gives the other.

const (
	streamRadios    = 0x726164696f000001
	streamRadioStep = 0x726164696f100000 // + tick
)

// LoadStatsInterval is how often Prime posts RF load statistics (cpiapi:
// "Posted every 20 minutes").
const LoadStatsInterval = 20 * time.Minute

// DefaultLoadStatsDTOKey is the RFLoadStats entities' DTO key. cpiapi
// guesses the key of a resource two ways, lowering its first letter or
// its first two, the second for names such as this one that start with
// two capitals; which one Prime uses is UNVERIFIED.
const DefaultLoadStatsDTOKey = "rfLoadStatsDTO"

// maxLoadSamples is the most samples per radio RFLoadStats keeps
// (Options.LoadStatsSamples).
const maxLoadSamples = 3

var (
	chans24   = []int{1, 6, 11}
	chans5    = []int{36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140, 144, 149, 153, 157, 161}
	widthsMHz = []int{20, 40, 80, 160}
	// maxDBm is a radio's transmit power at level 1, by slot; each level
	// below halves it (cpiapi: powerLevel [0:8], txPowerOutput in dBm).
	maxDBm = [2]int{20, 23}
)

type loadSample struct{ atMs, seq int64 }

type radioWorld struct {
	idBase     int64
	ch, width  []uint8 // per radio (2*AP + slot): index into the band's channels, into widthsMHz
	level      []uint8 // power level, 1 the strongest
	samples    []loadSample
	loadIDBase int64
}

// buildRadios gives each AP its two radios: channels spread over the
// band, 5 GHz mostly at 40 MHz, power levels 1 to 5.
func (w *world) buildRadios() {
	r := simkit.NewRand(w.seed, streamRadios)
	rw := &w.radios
	n := 2 * len(w.aps)
	rw.idBase = int64(8_100_000 + r.IntN(10000))
	rw.loadIDBase = int64(70_000_000_000 + r.IntN(1_000_000)*1000)
	rw.ch, rw.width, rw.level = make([]uint8, n), make([]uint8, n), make([]uint8, n)
	for i := range w.aps {
		rw.ch[2*i] = uint8(r.IntN(len(chans24)))
		rw.level[2*i] = uint8(2 + r.IntN(4))
		rw.ch[2*i+1] = uint8(r.IntN(len(chans5)))
		rw.width[2*i+1] = uint8(simkit.PickIndex(r, []int{30, 50, 20}))
		rw.level[2*i+1] = uint8(1 + r.IntN(5))
	}
	// The samples of the last hour, the latest at the last multiple of the
	// interval.
	step := LoadStatsInterval.Milliseconds()
	latest := w.nowMs / step * step
	for k := maxLoadSamples - 1; k >= 0; k-- {
		rw.samples = append(rw.samples, loadSample{atMs: latest - int64(k)*step, seq: int64(maxLoadSamples - 1 - k)})
	}
}

// stepRadios takes a load sample at the clock (at least a second after the
// last) and lets RRM move about 1% of the radios to another channel and
// as many to another power level.
func (w *world) stepRadios(nowMs int64) {
	r := simkit.NewRand(w.seed, streamRadioStep+w.tick)
	rw := &w.radios
	last := rw.samples[len(rw.samples)-1]
	rw.samples = append(rw.samples, loadSample{atMs: max(nowMs, last.atMs+1000), seq: last.seq + 1})
	rw.samples = slices.Delete(rw.samples, 0, max(0, len(rw.samples)-maxLoadSamples))
	n := len(rw.ch)
	for range max(1, n/100) {
		k := r.IntN(n)
		rw.ch[k] = uint8(r.IntN(len(w.bandChans(k))))
	}
	for range max(1, n/100) {
		rw.level[r.IntN(n)] = uint8(1 + r.IntN(5))
	}
}

func (w *world) bandChans(k int) []int {
	if k%2 == 0 {
		return chans24
	}
	return chans5
}

// radio is the state of radio k (slot k%2 of AP k/2) as RadioDetails and
// RFLoadStats report it.
type radio struct {
	ap, slot                int
	channel, widthMHz, dBm  int
	level, clients          int
	up                      bool
	band, radioType, status string
}

func (w *world) radioAt(k int) radio {
	i, slot := k/2, k%2
	a := &w.aps[i]
	rw := &w.radios
	rd := radio{ap: i, slot: slot, up: a.up, level: int(rw.level[k]), widthMHz: widthsMHz[rw.width[k]],
		channel: w.bandChans(k)[rw.ch[k]], status: severityNames[a.status]}
	rd.dBm = maxDBm[slot] - 3*(rd.level-1)
	_, on24, on5 := w.apClients(i)
	ax := apModels[a.model].ax
	if slot == 0 {
		rd.band, rd.clients, rd.radioType = "2.4 GHz", on24, "802.11b/g/n"
		if !ax {
			rd.radioType = "XOR (2.4GHz)"
		}
	} else {
		rd.band, rd.clients, rd.radioType = "5 GHz", on5, "802.11a/n/ac"
		if ax {
			rd.radioType = "802.11a/n/ac/ax"
		}
	}
	return rd
}

// load is radio k's load in the sample of seq: percentages of airtime,
// busier on 2.4 GHz and with more clients; what it sends and receives is
// part of what the channel carries.
func (w *world) load(k int, seq int64, clients int) (channel, tx, rx, poor int) {
	h := simkit.Mix(uint64(w.seed)*0x9E3779B97F4A7C15 ^ uint64(k)<<20 ^ uint64(seq))
	base, spread := 5, 40
	if k%2 == 0 {
		base, spread = 25, 50
	}
	channel = min(95, base+int(h%uint64(spread))+min(20, clients/2))
	tx = channel * int(15+h>>8%30) / 100
	rx = channel * int(20+h>>16%30) / 100
	if clients > 0 {
		poor = int(h >> 24 % 3)
	}
	return channel, tx, rx, poor
}

// RadioInfo describes one simulated radio.
type RadioInfo struct {
	AP   string
	Slot int
	// Band is the RadioBandEnum value: "2.4 GHz" or "5 GHz".
	Band                              string
	Channel, WidthMHz, TxPowerDBm     int
	Clients                           int
	Up                                bool // its AP is reachable; a down AP's radios are DOWN and have no load sample
	ChannelUtilization, TxUtilization int  // percent, in the latest load sample (0 without one)
}

// Radios lists the radios in RadioDetails order.
func (s *Server) Radios() []RadioInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	w := s.w
	latest := w.radios.samples[len(w.radios.samples)-1]
	out := make([]RadioInfo, 2*len(w.aps))
	for k := range out {
		rd := w.radioAt(k)
		ri := RadioInfo{AP: w.aps[rd.ap].name, Slot: rd.slot, Band: rd.band, Channel: rd.channel, WidthMHz: rd.widthMHz,
			TxPowerDBm: rd.dBm, Clients: rd.clients, Up: rd.up}
		if rd.up {
			ri.ChannelUtilization, ri.TxUtilization, _, _ = w.load(k, latest.seq, rd.clients)
		}
		out[k] = ri
	}
	return out
}

// radioSizes counts the radios and load samples for Sizes.
func (s *Server) radioSizes(z *Sizes) {
	w := s.w
	z.Radios = 2 * len(w.aps)
	up := 0
	for i := range w.aps {
		if w.aps[i].up {
			up++
		}
	}
	z.LoadStatsRows = 2 * up * s.loadSamples()
}

// loadSamples is how many samples per radio RFLoadStats serves.
func (s *Server) loadSamples() int {
	return min(max(1, s.opts.LoadStatsSamples), len(s.w.radios.samples))
}

// checkRadioRogueOptions validates and defaults the options of the rogue
// and radio resources.
func checkRadioRogueOptions(o *Options) error {
	if o.LoadStatsSamples < 0 || o.LoadStatsSamples > maxLoadSamples {
		return fmt.Errorf("primesim: LoadStatsSamples %d must be between 0 and %d", o.LoadStatsSamples, maxLoadSamples)
	}
	if o.LoadStatsDTOKey == "" {
		o.LoadStatsDTOKey = DefaultLoadStatsDTOKey
	}
	if o.LoadStatsDTOType == "" {
		o.LoadStatsDTOType = o.LoadStatsDTOKey
	}
	for _, c := range []struct{ name, v, a, b string }{
		{"RogueClassificationKey", o.RogueClassificationKey, "classificationType", "classification"},
		{"RogueLocationKey", o.RogueLocationKey, "location", "mapLocation"},
	} {
		switch c.v {
		case "", c.a, c.b, omitField:
		default:
			return fmt.Errorf("primesim: %s %q: want %s, %s or %s", c.name, c.v, c.a, c.b, omitField)
		}
	}
	return nil
}

type radioDTO struct {
	ID                  jnum   `json:"@id"`
	DisplayName         string `json:"@displayName"`
	AdminStatus         string `json:"adminStatus"`
	AlarmStatus         string `json:"alarmStatus"`
	AntennaType         string `json:"antennaType"`
	APIPAddress         any    `json:"apIpAddress,omitempty"` // blank while the AP is down (cpiapi)
	APName              string `json:"apName"`
	BaseRadioMac        any    `json:"baseRadioMac"`
	ChannelControl      string `json:"channelControl"`
	ChannelNumber       string `json:"channelNumber"`
	ChannelWidth        string `json:"channelWidth"`
	CleanAirCapable     bool   `json:"cleanAirCapable"`
	ClientCount         int    `json:"clientCount"`
	ControllerIPAddress any    `json:"controllerIpAddress,omitempty"` // CAPWAP APs only, so only while joined
	Dot11nCapable       bool   `json:"dot11nCapable"`
	EthernetMac         any    `json:"ethernetMac"`
	OperStatus          string `json:"operStatus"`
	PowerLevel          int    `json:"powerLevel"`
	RadioBand           string `json:"radioBand,omitempty"` // from 3.6
	RadioType           string `json:"radioType"`
	SlotID              int    `json:"slotId"`
	TxPowerControl      string `json:"txPowerControl"`
	TxPowerOutput       *int   `json:"txPowerOutput,omitempty"` // from a 2017 release
}

type radioEntity struct {
	entityHead
	DTO radioDTO `json:"radioDetailsDTO"`
}

func radioDetailsResource() *resource {
	return &resource{
		name: "RadioDetails", dtoKey: "radioDetailsDTO",
		fields: map[string]field{
			"apName":     strField(func(v *view, i int) string { return v.w.aps[i/2].name }),
			"slotId":     numField(func(_ *view, i int) int64 { return int64(i % 2) }),
			"operStatus": strField(func(v *view, i int) string { return operStatus(v.w.aps[i/2].up) }),
		},
		rows:   func(v *view) int { return 2 * len(v.w.aps) },
		id:     func(v *view, i int) int64 { return v.w.radios.idBase + int64(i) },
		campus: func(v *view, i int) int8 { return v.w.aps[i/2].campus },
		entity: func(v *view, i int, h entityHead) any { return radioEntity{h, v.radioDTO(i)} },
	}
}

func operStatus(up bool) string {
	if up {
		return "UP"
	}
	return "DOWN"
}

// channelNumber spells a ChannelNumberEnum value: "_36" as cpiapi lists
// the enum, or "36" with Options.PlainChannelNumbers.
func (v *view) channelNumber(ch int) string {
	if v.s.opts.PlainChannelNumbers {
		return strconv.Itoa(ch)
	}
	return "_" + strconv.Itoa(ch)
}

// channelWidth spells a ChannelBandwidthEnum value: "40 MHz" as cpiapi
// lists the enum, or "40MHz" with Options.CompactChannelWidths, as its
// RxNeighborChannelWidthEnum spells some.
func (v *view) channelWidth(mhz int) string {
	if v.s.opts.CompactChannelWidths {
		return fmt.Sprintf("%dMHz", mhz)
	}
	return fmt.Sprintf("%d MHz", mhz)
}

func (v *view) radioDTO(k int) radioDTO {
	w := v.w
	rd := w.radioAt(k)
	a := &w.aps[rd.ap]
	id := w.radios.idBase + int64(k)
	out := radioDTO{
		ID: v.num(id), DisplayName: idString(id), AdminStatus: "ENABLE", AlarmStatus: rd.status,
		AntennaType: "INTERNAL", APName: a.name, BaseRadioMac: v.mac(a.radio), ChannelControl: "AUTOMATIC",
		ChannelNumber: v.channelNumber(rd.channel), ChannelWidth: v.channelWidth(rd.widthMHz), CleanAirCapable: true,
		ClientCount: rd.clients, Dot11nCapable: true, EthernetMac: v.mac(a.eth), OperStatus: operStatus(rd.up),
		PowerLevel: rd.level, RadioType: rd.radioType, SlotID: rd.slot, TxPowerControl: "AUTOMATIC",
	}
	if rd.up {
		out.APIPAddress = v.inet(a.ip)
		out.ControllerIPAddress = v.inet(w.devs[a.wlc].ip)
	}
	if !v.s.opts.NoRadioBand {
		out.RadioBand = rd.band
	}
	if !v.s.opts.NoTxPowerOutput {
		out.TxPowerOutput = &rd.dBm
	}
	return out
}

type loadDTO struct {
	ID                  jnum   `json:"@id"`
	DisplayName         string `json:"@displayName"`
	ChannelUtilization  int    `json:"channelUtilization"`
	ClientCount         int    `json:"clientCount"`
	CollectionTime      int64  `json:"collectionTime"`
	EthernetMac         any    `json:"ethernetMac"`
	MacAddress          any    `json:"macAddress"` // the base radio's
	PoorCoverageClients int    `json:"poorCoverageClients"`
	RxUtilization       int    `json:"rxUtilization"`
	SlotID              int    `json:"slotId"`
	TxUtilization       int    `json:"txUtilization"`
}

// loadEntity is an RFLoadStats entity: its DTO key, and what @dtoType
// says of it, are options.
type loadEntity struct {
	head entityHead
	key  string
	dto  loadDTO
}

func (e loadEntity) MarshalJSON() ([]byte, error) {
	return marshalEntityAs(e.head, e.key, e.dto)
}

// loadRadios are the radios with load samples, those of the reachable
// APs, computed once per request.
func (v *view) loadRadios() []int32 {
	if v.loadIdx == nil {
		v.loadIdx = make([]int32, 0, 2*len(v.w.aps))
		for i := range v.w.aps {
			if v.w.aps[i].up {
				v.loadIdx = append(v.loadIdx, int32(2*i), int32(2*i+1))
			}
		}
	}
	return v.loadIdx
}

// loadRow resolves RFLoadStats row i: the samples served, oldest first,
// each listing the radios in order.
func (v *view) loadRow(i int) (k int, s loadSample) {
	idx := v.loadRadios()
	samples := v.w.radios.samples
	n := v.s.loadSamples()
	return int(idx[i%len(idx)]), samples[len(samples)-n+i/len(idx)]
}

func (v *view) loadID(i int) int64 {
	k, s := v.loadRow(i)
	return v.w.radios.loadIDBase + s.seq*int64(2*len(v.w.aps)) + int64(k)
}

func loadStatsResource() *resource {
	return &resource{
		name: "RFLoadStats", dtoKey: DefaultLoadStatsDTOKey,
		fields: map[string]field{
			"slotId": numField(func(v *view, i int) int64 { k, _ := v.loadRow(i); return int64(k % 2) }),
			"collectionTime": numField(func(v *view, i int) int64 {
				_, s := v.loadRow(i)
				return s.atMs
			}),
		},
		rows:   func(v *view) int { return len(v.loadRadios()) * v.s.loadSamples() },
		id:     (*view).loadID,
		campus: func(v *view, i int) int8 { k, _ := v.loadRow(i); return v.w.aps[k/2].campus },
		entity: func(v *view, i int, h entityHead) any {
			k, s := v.loadRow(i)
			return loadEntity{h, v.s.opts.LoadStatsDTOKey, v.loadDTO(v.loadID(i), k, s)}
		},
	}
}

func (v *view) loadDTO(id int64, k int, s loadSample) loadDTO {
	w := v.w
	rd := w.radioAt(k)
	a := &w.aps[rd.ap]
	ch, tx, rx, poor := w.load(k, s.seq, rd.clients)
	return loadDTO{
		ID: v.num(id), DisplayName: idString(id), ChannelUtilization: ch, ClientCount: rd.clients,
		CollectionTime: s.atMs, EthernetMac: v.mac(a.eth), MacAddress: v.mac(a.radio),
		PoorCoverageClients: poor, RxUtilization: rx, SlotID: rd.slot, TxUtilization: tx,
	}
}
