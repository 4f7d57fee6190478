package vendors

import "strings"

// DeviceType maps a vendor's product description onto the exporter's
// device types by the words in it, whatever their case; apWords are the
// vendor's words for an access point. Cisco's products are named alike
// across its APIs, so one table serves them.
func DeviceType(desc string, apWords ...string) string {
	f := strings.ToLower(desc)
	for _, w := range apWords {
		if strings.Contains(f, w) {
			return "ap"
		}
	}
	switch {
	case strings.Contains(f, "controller"):
		return "controller"
	case strings.Contains(f, "switch"):
		return "switch"
	case strings.Contains(f, "router"):
		return "router"
	case strings.Contains(f, "firewall") || strings.Contains(f, "security"):
		return "gateway"
	}
	return "other"
}
