package primeinfra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Wire types of InventoryDetails: the sections of the one response the
// DTO catalogue has (shared/vendor-apis/data/prime-v4-dto-fields.json),
// each an object holding one list. Any section may be missing, and a list
// of one may come as a bare object (shared/vendor-apis/prime.md, section
// 3).

type inventoryEntity struct {
	DTO struct {
		Summary struct {
			DeviceID      flexInt    `json:"deviceId"`
			DeviceName    string     `json:"deviceName"`
			IPAddress     flexString `json:"ipAddress"`
			ProductFamily string     `json:"productFamily"`
			Reachability  flexString `json:"reachability"`
			UpTime        flexNumber `json:"upTime"`
		} `json:"summary"`
		Chassis struct {
			Chassis list[chassisWire] `json:"chassis"`
		} `json:"chassis"`
		EthernetInterfaces struct {
			EthernetInterface list[ethernetWire] `json:"ethernetInterface"`
		} `json:"ethernetInterfaces"`
		CdpNeighbors struct {
			CdpNeighbor list[cdpWire] `json:"cdpNeighbor"`
		} `json:"cdpNeighbors"`
	} `json:"inventoryDetailsDTO"`
}

type chassisWire struct {
	EntPhysicalIndex flexInt `json:"entPhysicalIndex"`
	ModelNr          string  `json:"modelNr"`
	ProductID        string  `json:"productId"`
	SerialNr         string  `json:"serialNr"`
}

type ethernetWire struct {
	Name              string     `json:"name"`
	AdminStatus       flexString `json:"adminStatus"`
	OperationalStatus flexString `json:"operationalStatus"`
	MacAddress        flexString `json:"macAddress"`
	Speed             flexNumber `json:"speed"` // bits or megabits per second: see speedBytes
}

type cdpWire struct {
	NearEndInterface           string `json:"nearEndInterface"`
	NeighborDeviceName         string `json:"neighborDeviceName"`
	FarEndInterface            string `json:"farEndInterface"`
	NeighborDevicePlatformType string `json:"neighborDevicePlatformType"`
}

// flexNumber is a number sent as a JSON number or a numeric string; set
// is false for an absent value and for text that is no number (such as
// "auto"), which says nothing of the value.
type flexNumber struct {
	v   float64
	set bool
}

func (f *flexNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = flexNumber{}
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			*f = flexNumber{v: v, set: true}
		}
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("%.40q is not a number", b)
	}
	*f = flexNumber{v: v, set: true}
	return nil
}
