package primesim

import (
	"fmt"
	"sort"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// clientIndex numbers the Clients of the latest collection: the wireless
// clients by AP, then the wired ones by switch.
type clientIndex struct {
	apStart  []int32 // per AP, its first client's row; one more at the end
	devStart []int32 // per device, its first wired client's row; one more at the end
}

func (w *world) indexClients() {
	cc := &w.cc
	idx := &cc.idx
	idx.apStart = idx.apStart[:0]
	n := int32(0)
	for i := range cc.cells {
		idx.apStart = append(idx.apStart, n)
		for _, c := range cc.cells[i].c {
			n += int32(c)
		}
	}
	idx.apStart = append(idx.apStart, n)
	idx.devStart = idx.devStart[:0]
	for d := range cc.wired {
		idx.devStart = append(idx.devStart, n)
		for _, c := range cc.wired[d].c {
			n += int32(c)
		}
	}
	idx.devStart = append(idx.devStart, n)
}

func (w *world) clientCount() int {
	return int(w.cc.idx.devStart[len(w.cc.idx.devStart)-1])
}

// clientRef is one client of the latest collection.
type clientRef struct {
	row   int
	wired bool
	owner int // the AP, or the switch of a wired client
	ssid  int // wireless only
	col   int // protocol column, or speed 0..3 for a wired client
	k     int // the client's rank in its cell
	port  int // a wired client's rank on its switch
	auth  bool
}

// id is stable while the client's cell keeps at least k+1 clients.
func (r *clientRef) id() int64 {
	if r.wired {
		return wiredIDBase + int64(r.owner*4+r.col)*clientsPerCell + int64(r.k)
	}
	return clientIDBase + int64((r.owner*nSSID+r.ssid)*nWireless+r.col)*clientsPerCell + int64(r.k)
}

// clientAt resolves Clients row i.
func (w *world) clientAt(i int) clientRef {
	cc := &w.cc
	idx := &cc.idx
	r := clientRef{row: i}
	if nw := int(idx.devStart[0]); i < nw {
		a := sort.Search(len(idx.apStart)-1, func(m int) bool { return int(idx.apStart[m+1]) > i })
		r.owner = a
		o := i - int(idx.apStart[a])
		cell := &cc.cells[a]
		for k, c := range cell.c {
			if o < int(c) {
				r.ssid, r.col, r.k = k/nWireless, k%nWireless, o
				r.auth = o < int(cell.a[k])
				return r
			}
			o -= int(c)
		}
		panic("primesim: client row out of its AP")
	}
	r.wired = true
	d := sort.Search(len(idx.devStart)-1, func(m int) bool { return int(idx.devStart[m+1]) > i })
	r.owner = d
	o := i - int(idx.devStart[d])
	r.port = o
	cell := &cc.wired[d]
	for sp, c := range cell.c {
		if o < int(c) {
			r.col, r.k, r.auth = sp, o, o < int(cell.a[sp])
			return r
		}
		o -= int(c)
	}
	panic("primesim: client row out of its switch")
}

func (w *world) clientCampus(r *clientRef) int8 {
	if r.wired {
		return w.devs[r.owner].campus
	}
	return w.aps[r.owner].campus
}

// protocolNames are ClientProtocolEnum values by column; DOT11N2_4GNZ is
// spelled as Cisco documents it.
var protocolNames = [nWireless]string{
	colA: "DOT11A", colAC: "DOT11AC", colAX5: "DOT11AX5GHZ", colN5: "DOT11N5GHZ",
	colB: "DOT11B", colG: "DOT11G", colN24: "DOT11N2_4GNZ", colAX24: "DOT11AX2_4GHZ",
}

var (
	clientVendors = []string{"Apple", "Samsung", "Intel", "Dell", "HP", "Lenovo", "Google"}
	iotVendors    = []string{"Zebra", "Honeywell", "Axis", "Espressif"}
	ssidVLANs     = [nSSID]struct {
		name string
		id   int
	}{{"corp", 110}, {"guest", 120}, {"iot", 130}}
)

func (r *clientRef) protocol() string {
	if r.wired {
		return "DOT3"
	}
	return protocolNames[r.col]
}

func (r *clientRef) connectionType() string {
	if r.wired {
		return "WIRED"
	}
	return "LIGHTWEIGHTWIRELESS"
}

func (r *clientRef) securityPolicyStatus() string {
	if r.auth {
		return "PASSED"
	}
	return "FAILED"
}

// userName is known for authenticated clients, except on IoT, where
// devices join by MAC.
func (r *clientRef) userName(h uint64) string {
	switch {
	case !r.auth || (!r.wired && r.ssid == 2):
		return ""
	case !r.wired && r.ssid == guestSSID:
		return fmt.Sprintf("guest-%04d", h%10000)
	}
	return fmt.Sprintf("user%05d", h%100000)
}

func (w *world) clientLocation(r *clientRef) string {
	if r.wired {
		return w.devs[r.owner].loc
	}
	return w.floors[w.aps[r.owner].floor].loc
}

func (w *world) clientDevice(r *clientRef) *device {
	if r.wired {
		return &w.devs[r.owner]
	}
	return &w.devs[w.aps[r.owner].wlc]
}

func clientsResource() *resource {
	ref := func(v *view, i int) clientRef { return v.w.clientAt(i) }
	str := func(f func(v *view, r *clientRef) string) field {
		return strField(func(v *view, i int) string { r := ref(v, i); return f(v, &r) })
	}
	return &resource{
		name: "Clients", dtoKey: "clientsDTO",
		fields: map[string]field{
			"connectionType": str(func(_ *view, r *clientRef) string { return r.connectionType() }),
			"deviceName":     str(func(v *view, r *clientRef) string { return v.w.clientDevice(r).name }),
			"location":       str(func(v *view, r *clientRef) string { return v.w.clientLocation(r) }),
			"protocol":       str(func(_ *view, r *clientRef) string { return r.protocol() }),
			"securityPolicyStatus": str(func(_ *view, r *clientRef) string {
				return r.securityPolicyStatus()
			}),
			"ssid": str(func(_ *view, r *clientRef) string {
				if r.wired {
					return ""
				}
				return ssidNames[r.ssid]
			}),
			"status":   str(func(*view, *clientRef) string { return "ASSOCIATED" }),
			"userName": str(func(v *view, r *clientRef) string { return r.userName(v.w.clientHash(r)) }),
		},
		rows:   func(v *view) int { return v.w.clientCount() },
		id:     func(v *view, i int) int64 { r := ref(v, i); return r.id() },
		campus: func(v *view, i int) int8 { r := ref(v, i); return v.w.clientCampus(&r) },
		entity: func(v *view, i int, h entityHead) any {
			r := ref(v, i)
			return clientEntity{h, v.clientDTO(&r)}
		},
	}
}

func (w *world) clientHash(r *clientRef) uint64 {
	return simkit.Mix(uint64(r.id()) ^ uint64(w.seed)*0x9E3779B97F4A7C15)
}

// clientMAC is a locally administered MAC, distinct for distinct ids: an
// odd multiplier is a bijection modulo 2^40.
func clientMAC(id int64) uint64 {
	return 0x02<<40 | (uint64(id)*0x9E3779B97F4A7C15)&(1<<40-1)
}

func (v *view) clientDTO(r *clientRef) clientDTO {
	w := v.w
	id := r.id()
	h := w.clientHash(r)
	at := w.cc.latest().atMs
	dev := w.clientDevice(r)
	host, nw := r.row%254+1, r.row/254 // distinct addresses within the collection
	out := clientDTO{
		ID: v.num(id), DisplayName: idString(id),
		AssociationTime: at - int64(h%(8*3600_000)), ConnectionType: r.connectionType(),
		DeviceIPAddress: v.inet(dev.ip), DeviceName: dev.name,
		IPAddress: v.inet(fmt.Sprintf("10.%d.%d.%d", 128+nw>>8, nw&0xff, host)),
		Location:  w.clientLocation(r), MacAddress: v.mac(clientMAC(id)), Protocol: r.protocol(),
		SecurityPolicyStatus: r.securityPolicyStatus(), Status: "ASSOCIATED", UpdateTime: at,
		UserName: r.userName(h), Vendor: clientVendors[h>>20%uint64(len(clientVendors))],
	}
	if r.wired {
		out.ClientInterface = fmt.Sprintf("GigabitEthernet%d/0/%d", 1+r.port/48, 1+r.port%48)
		out.VLAN, out.VLANID = "data", 100
		return out
	}
	out.APMacAddress = v.mac(w.aps[r.owner].radio)
	out.SSID = ssidNames[r.ssid]
	out.VLAN, out.VLANID = ssidVLANs[r.ssid].name, ssidVLANs[r.ssid].id
	if r.ssid == 2 {
		out.Vendor = iotVendors[h>>20%uint64(len(iotVendors))]
	}
	return out
}
