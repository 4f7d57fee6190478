package primeinfra

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Controller is one wireless controller, from its WlanControllers row
// joined with its WlanControllerDetails row.
type Controller struct {
	Name, IP, Serial string
	// Model is the details' modelNumber, else the type.
	Model         string
	Version       string
	MobilityGroup string
	RFGroup       string
	// APs and Clients are Prime's counts: the access points joined to the
	// controller and their clients. Listed is false for a controller only
	// the details had (the lists changed between the two walks), whose
	// counts are not known.
	APs, Clients int
	Listed       bool
	// Reachable is WlanControllers' reachabilityStatus; false when absent.
	Reachable bool
	// CPU and Memory are utilization ratios, 0..1, where the details carry
	// them (no source names these fields: cpuUtilization and
	// memoryUtilization, in percent, are a guess); nil otherwise.
	CPU    *float64 `json:",omitempty"`
	Memory *float64 `json:",omitempty"`
}

// Controllers is the controllers collection.
type Controllers struct {
	Controllers []Controller
}

// Wire types.

type controllerEntity struct {
	DTO struct {
		Name               string     `json:"name"`
		IPAddress          flexString `json:"ipAddress"` // a string in the v4 sample
		Type               string     `json:"type"`
		SoftwareVersion    string     `json:"softwareVersion"`
		MobilityGroupName  string     `json:"mobilityGroupName"`
		RFGroupName        string     `json:"rfGroupName"`
		APCount            flexInt    `json:"apCount"`
		ClientCount        flexInt    `json:"clientCount"`
		ReachabilityStatus flexReach  `json:"reachabilityStatus"`
	} `json:"wlanControllersDTO"`
}

type controllerDetailsEntity struct {
	DTO struct {
		Name              string     `json:"name"`
		IPAddress         flexString `json:"ipAddress"`
		Type              string     `json:"type"`
		ModelNumber       string     `json:"modelNumber"`
		SerialNumber      string     `json:"serialNumber"`
		CPUUtilization    flexNumber `json:"cpuUtilization"`
		MemoryUtilization flexNumber `json:"memoryUtilization"`
	} `json:"wlanControllerDetailsDTO"`
}

// flexReach is a reachability: a boolean in the v4 sample, or a state
// (REACHABLE, PING_REACHABLE, UNREACHABLE, in any case) as other
// resources spell it.
type flexReach bool

func (f *flexReach) UnmarshalJSON(b []byte) error {
	var v bool
	if json.Unmarshal(b, &v) == nil {
		*f = flexReach(v)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("reachabilityStatus %s is neither a boolean nor a string", b)
	}
	if t, err := strconv.ParseBool(s); err == nil {
		*f = flexReach(t)
		return nil
	}
	*f = flexReach(reachable(s))
	return nil
}

// ratio turns a percent into a ratio; nil when absent or outside 0..100,
// which no utilization is.
func (f flexNumber) ratio() *float64 {
	if !f.set || f.v < 0 || f.v > 100 {
		return nil
	}
	r := f.v / 100
	return &r
}

// Controllers fetches the wireless controllers: WlanControllers for
// Prime's counts and groups, WlanControllerDetails for serial and model,
// joined by name, else by management address.
func (c *Client) Controllers(ctx context.Context) (*Controllers, error) {
	var list []controllerEntity
	if _, err := walk(ctx, c, "WlanControllers", nil, func(page []controllerEntity) { list = append(list, page...) }); err != nil {
		return nil, fmt.Errorf("WlanControllers: %w", err)
	}
	var details []controllerDetailsEntity
	if _, err := walk(ctx, c, "WlanControllerDetails", nil, func(page []controllerDetailsEntity) { details = append(details, page...) }); err != nil {
		return nil, fmt.Errorf("WlanControllerDetails: %w", err)
	}
	return joinControllers(list, details), nil
}

// joinControllers joins each listed controller with its details, by name,
// else by management address. A controller only the details have is kept,
// without counts; a row met twice (pages over changing data) counts once.
func joinControllers(list []controllerEntity, details []controllerDetailsEntity) *Controllers {
	byName, byIP := map[string]int{}, map[string]int{}
	for i, e := range details {
		if n := e.DTO.Name; n != "" {
			if _, dup := byName[n]; !dup {
				byName[n] = i
			}
		}
		if ip := string(e.DTO.IPAddress); ip != "" {
			if _, dup := byIP[ip]; !dup {
				byIP[ip] = i
			}
		}
	}
	used := make([]bool, len(details))
	seen := map[string]bool{}
	out := &Controllers{}
	for _, e := range list {
		d := e.DTO
		key := cmp.Or(d.Name, string(d.IPAddress))
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		ctl := Controller{
			Name: key, IP: string(d.IPAddress), Model: d.Type, Version: d.SoftwareVersion,
			MobilityGroup: d.MobilityGroupName, RFGroup: d.RFGroupName,
			APs: d.APCount.int(0), Clients: d.ClientCount.int(0), Listed: true, Reachable: bool(d.ReachabilityStatus),
		}
		i, ok := byName[d.Name]
		if !ok || d.Name == "" {
			i, ok = byIP[string(d.IPAddress)]
			ok = ok && d.IPAddress != ""
		}
		if ok {
			used[i] = true
			ctl.addDetails(details[i])
		}
		out.Controllers = append(out.Controllers, ctl)
	}
	for i, e := range details {
		d := e.DTO
		key := cmp.Or(d.Name, string(d.IPAddress))
		if used[i] || key == "" || seen[key] {
			continue
		}
		seen[key] = true
		ctl := Controller{Name: key, IP: string(d.IPAddress), Model: d.Type}
		ctl.addDetails(e)
		out.Controllers = append(out.Controllers, ctl)
	}
	slices.SortFunc(out.Controllers, func(a, b Controller) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func (c *Controller) addDetails(e controllerDetailsEntity) {
	d := e.DTO
	c.Serial = d.SerialNumber
	c.Model = cmp.Or(d.ModelNumber, c.Model, d.Type)
	c.IP = cmp.Or(c.IP, string(d.IPAddress))
	c.CPU, c.Memory = d.CPUUtilization.ratio(), d.MemoryUtilization.ratio()
}
