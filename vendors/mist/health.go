package mist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nmsexporter/nms_exporter/model"
)

// num is a JSON number the API may also send as a string ("65001"); null
// or absent leaves its pointer nil, which is not a reading.
type num float64

// UnmarshalJSON implements json.Unmarshaler.
func (n *num) UnmarshalJSON(b []byte) error {
	// A number, or a string without escapes holding one, read without a
	// decoder of its own: a page of device stats holds tens of thousands.
	// Anything else, and what is no number, takes the decoder's way, which
	// names what is wrong.
	switch {
	case len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9'):
		if f, err := strconv.ParseFloat(string(b), 64); err == nil {
			*n = num(f)
			return nil
		}
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		if f, err := strconv.ParseFloat(strings.TrimSpace(string(b[1:len(b)-1])), 64); err == nil {
			*n = num(f)
			return nil
		}
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			// A type error, which the decoder names the field of.
			return &json.UnmarshalTypeError{Value: fmt.Sprintf("string %.40q", s), Type: reflect.TypeFor[num]()}
		}
		*n = num(f)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("%.40s", b), Type: reflect.TypeFor[num]()}
	}
	*n = num(f)
	return nil
}

// float returns a reading scaled, or nil for none.
func (n *num) float(scale float64) *float64 {
	if n == nil {
		return nil
	}
	v := float64(*n) * scale
	return &v
}

// deviceHealth are the readings of an AP, switch or gateway that
// stats/devices returns when fields names them (mist.md section 14).
type deviceHealth struct {
	// AP
	CPUUtil    *num                 `json:"cpu_util"`
	MemUsedKB  *num                 `json:"mem_used_kb"`
	MemTotalKB *num                 `json:"mem_total_kb"`
	RadioStat  map[string]radioStat `json:"radio_stat"`
	EnvStat    *struct {
		CPUTemp     *num `json:"cpu_temp"`
		AmbientTemp *num `json:"ambient_temp"`
	} `json:"env_stat"`
	// switch and gateway
	CPUStat    *cpuStat    `json:"cpu_stat"`
	MemoryStat *memoryStat `json:"memory_stat"`
	ModuleStat []struct {
		FPCIdx       *num `json:"fpc_idx"`
		Temperatures []struct {
			Name    string `json:"name"`
			Celsius *num   `json:"celsius"`
		} `json:"temperatures"`
		Fans []component `json:"fans"`
		PSUs []component `json:"psus"`
	} `json:"module_stat"`
}

type radioStat struct {
	Channel        *num `json:"channel"`
	Bandwidth      *num `json:"bandwidth"`
	Power          *num `json:"power"`
	NoiseFloor     *num `json:"noise_floor"`
	NumClients     *num `json:"num_clients"`
	UtilAll        *num `json:"util_all"`
	UtilTx         *num `json:"util_tx"`
	UtilRxInBSS    *num `json:"util_rx_in_bss"`
	UtilRxOtherBSS *num `json:"util_rx_other_bss"`
	UtilNonWifi    *num `json:"util_non_wifi"`
}

type cpuStat struct {
	Usage     *num `json:"usage"` // Mist Edge only
	Idle      *num `json:"idle"`
	User      *num `json:"user"`
	System    *num `json:"system"`
	Interrupt *num `json:"interrupt"`
}

type memoryStat struct {
	Usage *num `json:"usage"`
}

type component struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// radioBands maps radio_stat's keys to the exporter's bands.
var radioBands = map[string]string{"band_24": "2.4", "band_5": "5", "band_6": "6"}

// radios returns an AP's enabled radios. Bandwidth 0 is a disabled radio
// (radio_stat has no disabled key: mist.md section 14), left out whole.
func (h *deviceHealth) radios(device string) []model.Radio {
	var out []model.Radio
	for key, r := range h.RadioStat {
		band, ok := radioBands[key]
		if !ok || (r.Bandwidth != nil && *r.Bandwidth == 0) {
			continue
		}
		mr := model.Radio{Device: device, Band: band, Channel: r.Channel.float(1), BandwidthHertz: r.Bandwidth.float(1e6),
			TransmitPowerDBm: r.Power.float(1), NoiseFloorDBm: r.NoiseFloor.float(1), Clients: r.NumClients.float(1)}
		for kind, v := range [...]*num{model.UtilizationAll: r.UtilAll, model.UtilizationTx: r.UtilTx,
			model.UtilizationRxInBSS: r.UtilRxInBSS, model.UtilizationRxOtherBSS: r.UtilRxOtherBSS, model.UtilizationNonWiFi: r.UtilNonWifi} {
			if v != nil {
				mr.Utilization.Set(model.UtilizationKind(kind), float64(*v)/100)
			}
		}
		out = append(out, mr)
	}
	return out
}

// busy is a cpu_stat's busy share in percent. 100 - idle counts every busy
// state, those the schema does not list (nice, iowait, softirq) too; where
// idle is missing, user + system + interrupt is the best the parts give.
// Mist Edges report usage itself, preferred.
func (c *cpuStat) busy() *float64 {
	switch {
	case c == nil:
		return nil
	case c.Usage != nil:
		return c.Usage.float(1)
	case c.Idle != nil:
		v := 100 - float64(*c.Idle)
		return &v
	}
	var sum float64
	parts := 0
	for _, p := range []*num{c.User, c.System, c.Interrupt} {
		if p != nil {
			sum += float64(*p)
			parts++
		}
	}
	if parts == 0 {
		return nil
	}
	return &sum
}

// health returns what a device reports of its CPU, memory, temperatures,
// fans and power supplies; ok is false when it reports none of them.
func (h *deviceHealth) health(device, typ string) (model.DeviceHealth, bool) {
	out := model.DeviceHealth{Device: device}
	if typ == "ap" {
		out.CPU = h.CPUUtil.float(0.01)
		if h.MemUsedKB != nil && h.MemTotalKB != nil && *h.MemTotalKB > 0 {
			v := float64(*h.MemUsedKB) / float64(*h.MemTotalKB)
			out.Memory = &v
		}
		if h.EnvStat != nil {
			out.Temperatures = appendTemperature(out.Temperatures, "cpu", h.EnvStat.CPUTemp)
			out.Temperatures = appendTemperature(out.Temperatures, "ambient", h.EnvStat.AmbientTemp)
		}
	} else {
		if b := h.CPUStat.busy(); b != nil {
			v := *b / 100
			out.CPU = &v
		}
		if h.MemoryStat != nil {
			out.Memory = h.MemoryStat.Usage.float(0.01)
		}
		for i, m := range h.ModuleStat {
			member := "fpc" + strconv.Itoa(i)
			if m.FPCIdx != nil {
				member = "fpc" + strconv.FormatFloat(float64(*m.FPCIdx), 'f', -1, 64)
			}
			for _, t := range m.Temperatures {
				out.Temperatures = appendTemperature(out.Temperatures, member+"/"+t.Name, t.Celsius)
			}
			out.Components = appendComponents(out.Components, member, "fan", m.Fans)
			out.Components = appendComponents(out.Components, member, "psu", m.PSUs)
		}
	}
	ok := out.CPU != nil || out.Memory != nil || len(out.Temperatures) > 0 || len(out.Components) > 0
	return out, ok
}

func appendTemperature(ts []model.Temperature, sensor string, c *num) []model.Temperature {
	if c == nil {
		return ts
	}
	return append(ts, model.Temperature{Sensor: sensor, Celsius: float64(*c)})
}

// appendComponents adds the fans or power supplies of a member. An empty
// slot (status absent or empty) is left out, so that a switch built with one
// power supply does not report a failed second one.
func appendComponents(cs []model.Component, member, kind string, parts []component) []model.Component {
	for _, p := range parts {
		status := strings.ToLower(p.Status)
		if status == "" || status == "absent" || status == "not present" {
			continue
		}
		cs = append(cs, model.Component{Member: member, Kind: kind, Name: p.Name, OK: status == "ok"})
	}
	return cs
}
