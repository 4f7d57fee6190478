package cxsim

// The product, software and end-of-life catalogue the world is drawn from.
// Product IDs, families and software trains are real Cisco ones so that
// clients see familiar values; bulletin numbers and dates are invented.

type role uint8

const (
	roleRouter role = iota
	roleSwitch
	roleAP
	roleWLC
)

var rolePrefix = [...]string{"rtr", "sw", "ap", "wlc"}

// roleWeights is the device mix: mostly switches and access points.
var roleWeights = [...]int{12, 43, 40, 5}

type swVersion struct {
	typ   string // softwareType
	ver   string // softwareVersion
	image string // the version as image names spell it
	eol   int8   // index into swEolSpecs; -1 while supported
}

// Software versions, oldest first within a type: a Step upgrade moves a
// device to the next entry of its product's list.
const (
	xe1698 = iota
	xe1612
	xe173
	xe176
	xe179
	xe1712
	ios152e4
	ios152e7
	nx93
	nx102
	nx103
	aos85
	aos810
)

var swVersions = [...]swVersion{
	xe1698:   {"IOS-XE", "16.9.8", "16.09.08", swEol169},
	xe1612:   {"IOS-XE", "16.12.10a", "16.12.10a", swEol1612},
	xe173:    {"IOS-XE", "17.3.8a", "17.03.08a", swEol173},
	xe176:    {"IOS-XE", "17.6.6a", "17.06.06a", swEol176},
	xe179:    {"IOS-XE", "17.9.4a", "17.09.04a", -1},
	xe1712:   {"IOS-XE", "17.12.3", "17.12.03", -1},
	ios152e4: {"IOS", "15.2(4)E10", "152-4.E10", swEol152e4},
	ios152e7: {"IOS", "15.2(7)E8", "152-7.E8", -1},
	nx93:     {"NX-OS", "9.3(10)", "nxos.9.3.10.bin", swEol93},
	nx102:    {"NX-OS", "10.2(6)", "nxos64-cs.10.2.6.M.bin", -1},
	nx103:    {"NX-OS", "10.3(4a)", "nxos64-cs.10.3.4a.M.bin", -1},
	aos85:    {"AireOS", "8.5.182.0", "8-5-182-0", swEol85},
	aos810:   {"AireOS", "8.10.185.0", "8-10-185-0", -1},
}

var swTypes = []string{"IOS-XE", "IOS", "NX-OS", "AireOS"}

// swTypeWeights spreads security advisories over the software types.
var swTypeWeights = []int{50, 15, 20, 15}

var swTypeTitle = map[string]string{
	"IOS-XE": "Cisco IOS XE Software",
	"IOS":    "Cisco IOS Software",
	"NX-OS":  "Cisco NX-OS Software",
	"AireOS": "Cisco Wireless LAN Controller Software",
}

var swTypeSlug = map[string]string{"IOS-XE": "iosxe", "IOS": "ios", "NX-OS": "nxos", "AireOS": "wlc"}

type partUse struct{ part, min, max uint8 }

type product struct {
	pid, family, ptype string
	role               role
	weight             int
	oid                string
	image              string    // image name around the version's image token ("%s"); "" when none is reported
	plants             [2]string // serial number prefixes
	memMB, flashMB     int64
	versions           []uint8
	parts              []partUse
}

var products = []product{
	{"ISR4321/K9", "Cisco 4000 Series Integrated Services Routers", "Routers", roleRouter, 40, "1.3.6.1.4.1.9.1.2068",
		"isr4300-universalk9.%s.SPA.bin", [2]string{"FLM", "FDO"}, 4096, 4096,
		[]uint8{xe1698, xe1612, xe173, xe176, xe179}, []partUse{{pNIM, 0, 1}, {pGLC, 0, 2}}},
	{"ISR4431/K9", "Cisco 4000 Series Integrated Services Routers", "Routers", roleRouter, 25, "1.3.6.1.4.1.9.1.1871",
		"isr4400-universalk9.%s.SPA.bin", [2]string{"FOC", "FDO"}, 8192, 8192,
		[]uint8{xe1698, xe1612, xe173, xe179}, []partUse{{pPWR4430, 1, 2}, {pNIM, 0, 2}, {pGLC, 0, 2}}},
	{"C8300-1N1S-6T", "Cisco Catalyst 8300 Series Edge Platforms", "Routers", roleRouter, 20, "1.3.6.1.4.1.9.1.2800",
		"c8000be-universalk9.%s.SPA.bin", [2]string{"FDO", "FGL"}, 8192, 8192,
		[]uint8{xe176, xe179, xe1712}, []partUse{{pGLC, 0, 2}}},
	{"ASR1001-X", "Cisco ASR 1000 Series Aggregation Services Routers", "Routers", roleRouter, 15, "1.3.6.1.4.1.9.1.1861",
		"asr1001x-universalk9.%s.SPA.bin", [2]string{"FXS", "JAE"}, 8192, 8192,
		[]uint8{xe1698, xe1612, xe173, xe179}, []partUse{{pSFP10G, 0, 2}}},

	{"C9300-48P", "Cisco Catalyst 9300 Series Switches", "LAN Switches", roleSwitch, 35, "1.3.6.1.4.1.9.1.2494",
		"cat9k_iosxe.%s.SPA.bin", [2]string{"FOC", "FCW"}, 8192, 16384,
		[]uint8{xe1612, xe173, xe176, xe179, xe1712}, []partUse{{pPWR715, 1, 2}, {pFanT1, 3, 3}, {pNM8X, 0, 1}, {pSFP10G, 0, 2}}},
	{"C9200L-24P-4G", "Cisco Catalyst 9200 Series Switches", "LAN Switches", roleSwitch, 20, "1.3.6.1.4.1.9.1.2664",
		"cat9k_lite_iosxe.%s.SPA.bin", [2]string{"JAE", "FOC"}, 2048, 4096,
		[]uint8{xe173, xe176, xe179, xe1712}, []partUse{{pGLC, 0, 2}}},
	{"WS-C2960X-48FPD-L", "Cisco Catalyst 2960-X Series Switches", "LAN Switches", roleSwitch, 15, "1.3.6.1.4.1.9.1.1208",
		"c2960x-universalk9-mz.%s.bin", [2]string{"FOC", "FCW"}, 512, 128,
		[]uint8{ios152e4, ios152e7}, []partUse{{pGLC, 0, 2}}},
	{"WS-C3850-48P-S", "Cisco Catalyst 3850 Series Switches", "LAN Switches", roleSwitch, 10, "1.3.6.1.4.1.9.1.1745",
		"cat3k_caa-universalk9.%s.SPA.bin", [2]string{"FOC", "FCW"}, 4096, 2048,
		[]uint8{xe1698, xe1612}, []partUse{{pPWR715, 1, 2}, {pFanT1, 3, 3}, {pNM41G, 0, 1}}},
	{"N9K-C93180YC-FX", "Cisco Nexus 9000 Series Switches", "Data Center Switches", roleSwitch, 12, "1.3.6.1.4.1.9.12.3.1.3.1812",
		"%s", [2]string{"FDO", "SAL"}, 24576, 65536,
		[]uint8{nx93, nx102, nx103}, []partUse{{pNXAPSU, 2, 2}, {pNXAFan, 4, 4}, {pSFP10G, 0, 4}}},
	{"N9K-C93180YC-EX", "Cisco Nexus 9000 Series Switches", "Data Center Switches", roleSwitch, 8, "1.3.6.1.4.1.9.12.3.1.3.1644",
		"%s", [2]string{"FDO", "SAL"}, 24576, 65536,
		[]uint8{nx93, nx102}, []partUse{{pNXAPSU, 2, 2}, {pNXAFan, 4, 4}, {pSFP10G, 0, 4}}},

	{"C9120AXI-E", "Cisco Catalyst 9100 Series Access Points", "Wireless LAN Access Points", roleAP, 45, "",
		"", [2]string{"FJC", "KWC"}, 2048, 1024,
		[]uint8{xe173, xe176, xe179, xe1712}, nil},
	{"C9130AXI-E", "Cisco Catalyst 9100 Series Access Points", "Wireless LAN Access Points", roleAP, 25, "",
		"", [2]string{"FJC", "FGL"}, 2048, 1024,
		[]uint8{xe176, xe179, xe1712}, nil},
	{"AIR-AP2802I-E-K9", "Cisco Aironet 2800 Series Access Points", "Wireless LAN Access Points", roleAP, 20, "",
		"", [2]string{"FCW", "KWC"}, 1024, 512,
		[]uint8{aos85, aos810}, nil},

	{"C9800-40-K9", "Cisco Catalyst 9800 Series Wireless Controllers", "Wireless LAN Controllers", roleWLC, 70, "1.3.6.1.4.1.9.1.2530",
		"C9800-40-universalk9_wlc.%s.SPA.bin", [2]string{"TTM", "FOX"}, 32768, 16384,
		[]uint8{xe173, xe176, xe179, xe1712}, []partUse{{pPWR9800, 1, 2}, {pSFP10G, 0, 2}}},
	{"AIR-CT5520-K9", "Cisco 5500 Series Wireless Controllers", "Wireless LAN Controllers", roleWLC, 30, "1.3.6.1.4.1.9.1.2170",
		"AIR-CT5520-K9-%s.aes", [2]string{"FCH", "FOX"}, 16384, 4096,
		[]uint8{aos85, aos810}, []partUse{{pPSU770, 1, 2}}},
}

type part struct {
	pid, family, ptype string
	atype, subtype     string // physicalAssetType, physicalAssetSubtype
	slot               string // slot name prefix; numbered per device
	plant              string // serial number prefix; "" when the part has none
}

const (
	pPWR715 = iota
	pFanT1
	pNM8X
	pSFP10G
	pGLC
	pNIM
	pPWR4430
	pNXAPSU
	pNXAFan
	pNM41G
	pPWR9800
	pPSU770
)

var parts = [...]part{
	pPWR715:  {"PWR-C1-715WAC", "Catalyst 3K/9K Power Supplies", "Power Supplies", "Power Supply", "AC", "PS", "LIT"},
	pFanT1:   {"FAN-T1=", "Catalyst 2K/3K Series Fans", "Fans", "Fan", "", "FAN", ""},
	pNM8X:    {"C9300-NM-8X", "Cisco Catalyst 9300 Network Modules", "Modules", "Module", "Network Module", "Slot 1/", "FOC"},
	pSFP10G:  {"SFP-10G-SR", "10GBASE SFP+ Modules", "Transceiver Modules", "Module", "Transceiver", "Te1/1/", "AGM"},
	pGLC:     {"GLC-SX-MMD", "1000BASE SFP Modules", "Transceiver Modules", "Module", "Transceiver", "Gi0/0/", "FNS"},
	pNIM:     {"NIM-2GE-CU-SFP", "Cisco ISR 4000 Network Interface Modules", "Modules", "Module", "NIM", "0/", "FOC"},
	pPWR4430: {"PWR-4430-AC", "Cisco 4400 Series Power Supplies", "Power Supplies", "Power Supply", "AC", "PS", "ART"},
	pNXAPSU:  {"NXA-PAC-650W-PE", "Nexus 9000 Power Supplies", "Power Supplies", "Power Supply", "AC", "PS", "DCB"},
	pNXAFan:  {"NXA-FAN-30CFM-B", "Nexus 9000 Fans", "Fans", "Fan", "", "FAN", ""},
	pNM41G:   {"C3850-NM-4-1G", "Cisco Catalyst 3850 Network Modules", "Modules", "Module", "Network Module", "Slot 1/", "FOC"},
	pPWR9800: {"C9800-AC-750W", "Catalyst 9800 Power Supplies", "Power Supplies", "Power Supply", "AC", "PS", "LIT"},
	pPSU770:  {"AIR-PSU1-770W", "Cisco 5500 Series Wireless Controller Power Supplies", "Power Supplies", "Power Supply", "AC", "PS", "DTN"},
}

// Hardware end-of-life milestones, relative to the end-of-sale date. The
// names are the ones currentEndOfLifeMilestone uses; EoNSA has a bulletin
// date but is not reported as a milestone.
const (
	hwAnn = iota
	hwEoS
	hwLastShip
	hwEoSWM
	hwEoRFA
	hwEoNSA
	hwEoVSS
	hwEoSCR
	hwLDoS
	nHWDates
)

var hwMilestones = [nHWDates]struct {
	name   string
	offset int32 // days after end of sale
	sw     bool  // only for products that run software
}{
	hwAnn:      {"Announced", 0, false}, // set from the spec
	hwEoS:      {"EoSale", 0, false},
	hwLastShip: {"LastShip", 90, false},
	hwEoSWM:    {"EoSWM", 365, true},
	hwEoRFA:    {"EoRFA", 365, false},
	hwEoNSA:    {"", 365, false},
	hwEoVSS:    {"EoVSS", 1095, true},
	hwEoSCR:    {"EoSCR", 1735, false},
	hwLDoS:     {"LDoS", 1825, false},
}

// hwEolSpecs place end of sale relative to the world's day so that every
// stage is present: all milestones past, last day of support within 180
// days, software maintenance ended with years of support left, end of sale
// within 180 days and announced only.
var hwEolSpecs = []struct {
	pid, number, title string
	eosDays, annBefore int32 // end of sale, days from today; announcement, days before end of sale
	sw                 bool
	replacement        string
}{
	{"WS-C3850-48P-S", "EOL11769", "End-of-Sale and End-of-Life Announcement for the Cisco Catalyst 3850 Series Switches", -1900, 180, true, "C9300-48P"},
	{"C3850-NM-4-1G", "EOL11770", "End-of-Sale and End-of-Life Announcement for the Cisco Catalyst 3850 Network Modules", -1780, 180, false, "C9300-NM-8X"},
	{"AIR-CT5520-K9", "EOL13480", "End-of-Sale and End-of-Life Announcement for the Cisco 5520 Wireless Controller", -1700, 180, true, "C9800-40-K9"},
	{"AIR-AP2802I-E-K9", "EOL13883", "End-of-Sale and End-of-Life Announcement for the Cisco Aironet 2800 Series Access Points", -1280, 180, true, "C9120AXI-E"},
	{"ISR4321/K9", "EOL14553", "End-of-Sale and End-of-Life Announcement for the Cisco ISR 4321 and ISR 4331", -950, 180, true, "C8300-1N1S-6T"},
	{"WS-C2960X-48FPD-L", "EOL14869", "End-of-Sale and End-of-Life Announcement for the Cisco Catalyst 2960-X Series Switches", -560, 180, true, "C9200L-24P-4G"},
	{"ISR4431/K9", "EOL14554", "End-of-Sale and End-of-Life Announcement for the Cisco ISR 4431 and ISR 4451", -300, 180, true, "C8300-1N1S-6T"},
	{"N9K-C93180YC-EX", "EOL14410", "End-of-Sale and End-of-Life Announcement for the Cisco Nexus 93180YC-EX Switch", 100, 180, true, "N9K-C93180YC-FX"},
	{"ASR1001-X", "EOL15001", "End-of-Sale and End-of-Life Announcement for the Cisco ASR 1001-X Router", 330, 365, true, "C8500-12X"},
}

// Software end-of-life milestones, relative to end of sale.
const (
	swAnn = iota
	swEoS
	swEoSWM
	swEoVSS
	swLDoS
	nSWDates
)

var swMilestones = [nSWDates]struct {
	name   string
	offset int32
}{
	swAnn:   {"Announced", 0},
	swEoS:   {"EoSale", 0},
	swEoSWM: {"EoSWM", 365},
	swEoVSS: {"EoVSS", 730},
	swLDoS:  {"LDoS", 1095},
}

const (
	swEol169 = iota
	swEol1612
	swEol173
	swEol176
	swEol152e4
	swEol93
	swEol85
)

var swEolSpecs = [...]struct {
	typ, number, title  string
	major, train, maint string
	eosDays, annBefore  int32
}{
	swEol169:   {"IOS-XE", "EOL13200", "Cisco IOS XE Software Release 16.9.x", "16.9", "", "8", -1300, 180},
	swEol1612:  {"IOS-XE", "EOL13750", "Cisco IOS XE Software Release 16.12.x", "16.12", "", "10a", -950, 180},
	swEol173:   {"IOS-XE", "EOL14370", "Cisco IOS XE Software Release 17.3.x", "17.3", "", "8a", -500, 180},
	swEol176:   {"IOS-XE", "EOL15120", "Cisco IOS XE Software Release 17.6.x", "17.6", "", "6a", 120, 180},
	swEol152e4: {"IOS", "EOL11420", "Cisco IOS Software Release 15.2(4)E", "15.2", "E", "4", -1600, 180},
	swEol93:    {"NX-OS", "EOL14690", "Cisco NX-OS Software Release 9.3", "9.3", "", "10", -200, 180},
	swEol85:    {"AireOS", "EOL13120", "Cisco Wireless LAN Controller Software Release 8.5", "8.5", "", "182", -1200, 180},
}

type city struct{ code, name, country string }

var cities = []city{
	{"ams", "Amsterdam", "NL"}, {"nyc", "New York", "US"}, {"lon", "London", "GB"}, {"sfo", "San Francisco", "US"},
	{"ber", "Berlin", "DE"}, {"par", "Paris", "FR"}, {"tok", "Tokyo", "JP"}, {"syd", "Sydney", "AU"},
	{"chi", "Chicago", "US"}, {"dal", "Dallas", "US"}, {"mad", "Madrid", "ES"}, {"sin", "Singapore", "SG"},
	{"tor", "Toronto", "CA"}, {"zrh", "Zurich", "CH"}, {"dub", "Dublin", "IE"}, {"sea", "Seattle", "US"},
}

var resetReasons = []string{"Reload Command", "power-on", "Reload Command", "Image Install", "LocalSoft"}

// Match confidences, as the API spells them.
var confidences = [...]string{"Vulnerable", "Potentially Vulnerable", "Not Vulnerable"}

// confWeights: most reported matches are (potentially) vulnerable.
var confWeights = []int{45, 35, 20}

var fnReasons = [3][]string{
	{"Match on PID", "Match on PID, TAN, Serial Number", "Match on PID, SW Version"},
	{"Match on PID; Insufficient data for Serial Number", "Match on PID; Insufficient data for SW Version"},
	{"No Match on Product Family ,SW Version; Match on SW Type ", "Match on PID; No Match on SW Version"},
}

var saReasons = [3][]string{
	{"Match on SW Version", "Match on SW Version, Feature Configuration"},
	{"Match on SW Version; Insufficient data for Feature Configuration"},
	{"No Match on SW Version; Match on SW Type", "Match on SW Version; No Match on Feature Configuration"},
}

var fnTypes = []string{"Hardware", "Software", "Other"}
var fnTypeWeights = []int{60, 30, 10}

var fnProblems = [3][]string{
	{"Power Supply Units Might Fail After Extended Operation", "Some Units Might Fail to Boot Due to a Flash Memory Defect",
		"Fan Tray Might Stop Spinning and Raise a False Alarm", "Uplink Ports Might Stop Forwarding Traffic After a Cold Start",
		"Clock Signal Component Might Degrade Over Time", "Some Transceivers Might Not Link Up After a Reload"},
	{"Devices Might Reload Unexpectedly After an Upgrade", "Certificate Expiration Causes Smart Licensing Registration Failure",
		"Software Image Signing Key Rotation Requires an Upgrade", "Configuration Might Be Lost After a Power Cycle"},
	{"Product Labeling Error on Some Units", "Incorrect Regulatory Label on Some Units"},
}

var fnCaveats = []string{"", "", "Deviation numbers are not automatically checked.",
	"Only the product ID is checked; serial number ranges are not evaluated."}

var saFeatures = []struct{ slug, title string }{
	{"webui", "Web UI"}, {"snmp", "SNMP"}, {"ssh", "SSH Server"}, {"dhcp", "DHCP"}, {"ikev2", "IKEv2"},
	{"nat", "NAT"}, {"bgp", "BGP"}, {"ospf", "OSPF"}, {"cli", "CLI"}, {"restapi", "REST API"},
	{"netconf", "NETCONF"}, {"capwap", "CAPWAP"}, {"ipv6", "IPv6"}, {"dns", "DNS"}, {"http", "HTTP Server"},
}

var saKinds = []struct{ slug, title, effect string }{
	{"privesc", "Privilege Escalation", "elevate privileges to root"},
	{"dos", "Denial of Service", "cause a denial of service (DoS) condition"},
	{"rce", "Remote Code Execution", "execute arbitrary code"},
	{"bypass", "Authentication Bypass", "bypass authentication"},
	{"xss", "Cross-Site Scripting", "conduct a cross-site scripting (XSS) attack"},
	{"info", "Information Disclosure", "access sensitive information"},
	{"cmdinj", "Command Injection", "inject arbitrary commands"},
}

var ratings = []string{"Critical", "High", "Medium", "Low", "Informational"}
var ratingWeights = []int{5, 20, 55, 10, 10}

// ratingScores are CVSS base score ranges, in tenths.
var ratingScores = [][2]int{{90, 100}, {70, 89}, {40, 69}, {1, 39}, {0, 0}}

var saCaveats = []string{"", "", "", "Feature configuration is not evaluated; devices running an affected release are reported as Potentially Vulnerable."}
