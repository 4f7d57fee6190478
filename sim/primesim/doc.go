// Package primesim is a local fake of the Cisco Prime Infrastructure REST
// API data resources (/webacs/api/{v1..v4}/data/...) for tests,
// benchmarks and demos of clients that poll Prime. It follows
// shared/vendor-apis/prime.md; where that reference leaves Prime's
// behaviour unverified, the default is the reference's stated default
// and an Option gives each other plausible reading.
//
// A Server is an http.Handler. Its campuses, access points, devices,
// client counts, clients and alarms are a deterministic function of
// Options.Seed, Options.Size and the clock at New, so the same seed, size
// and clock give byte-identical responses.
//
// Resources (data.json lists them): AccessPointDetails
// (accessPointDetailsDTO), Alarms (alarmsDTO), ClientCounts
// (clientCountsDTO), Clients (clientsDTO), Devices (devicesDTO: wireless
// controllers, switches and routers; APs are not devices),
// HistoricalClientCounts (historicalClientCountsDTO, or
// Options.HistoryDTOKey), WlanControllers (wlanControllersDTO),
// WlanControllerDetails (wlanControllerDetailsDTO), InventoryDetails
// (inventoryDetailsDTO, one per device; see below), RogueApAlarms
// (rogueApAlarmsDTO), RadioDetails (radioDetailsDTO) and RFLoadStats
// (rfLoadStatsDTO, or Options.LoadStatsDTOKey). Field names, types and v4
// object forms follow
// prime-v4-dto-fields.json: ethernetMac {"octets": "<12 hex>"}, ipAddress
// {"address": "<ip>"}, category and condition {"ordinal": n, "value":
// "..."}, isoDate strings in UTC ("2026-11-23T17:28:02.000Z"),
// collectionTime and the Clients times in epoch milliseconds; absent
// values are omitted, never null. The ordinals are the simulator's own
// numbering: match on value.
//
// What it reproduces:
//
//   - Versions: v1, v2, v3 and v4 answer side by side, every resource at
//     every version unless Options.NotServed lists "version/Resource":
//     that one answers 404 with Prime's errorDocument ("No such entity
//     type as ClientCounts.-PRS-102", id presentation.PRS-102) and is left
//     out of the version's data.json, so a client can be tested falling
//     back from v4 to v3. v4 sends MAC and IP attributes as objects and
//     adds @domain to lists and single entities; v1-v3 send them as
//     strings (MACs colon-separated; Options.ObjectMACsAt gives v2 or v3
//     MAC objects, as the catalogue says those vary) and no @domain.
//     Before v3 AccessPointDetails spells locationHeirarchy (sic) and
//     Devices carries clearedAlarms, criticalAlarms, informationAlarms,
//     majorAlarms, minorAlarms and warningAlarms (the device's alarms by
//     severity); v2 spells reachabilityStatus Reachable/Unreachable, also
//     in filters. @id, @first, @last and @count are JSON numbers, strings
//     at the versions of Options.StringNumbersAt (the v1 sample has string
//     ids). Options.BareEntityAt sends a one-element entity list as a bare
//     object at the versions listed, and Options.StringEnumsAt an alarm's
//     category and condition as their values alone.
//   - Paths: GET /webacs/api/{v}/data/{Resource}[.json|.xml] lists, and
//     .../data/{Resource}/{id}[.json|.xml] answers one entity (@responseType
//     getEntity, entity a one-element list). /webacs/api/{v}/data.json is
//     the catalogue, queryResponse.entityType[] of {"$": "<Resource>",
//     "@url": "<its list URL>"}; /webacs/api/{v}/op.json lists no
//     operation (queryResponse.operation is empty). HEAD is served as GET;
//     other methods 405.
//   - Formats: JSON for the .json suffix, or without a suffix for Accept:
//     application/json; otherwise (.xml, or neither) XML: the same content,
//     "@" attributes as XML attributes, "$" as text, lists as repeated
//     elements, under <?xml ...?>. errorDocuments follow the same rule.
//   - Lists: .full=true gives listEntityInstances (entity[] with @dtoType,
//     @type, @url and the DTO under its dtoKey); otherwise listEntityIds
//     (entityId[] of {"$": "<id>", "@url": ...}). The queryResponse carries
//     @last, @first, @count, @type, @domain (v4), @requestUrl,
//     @responseType and @rootUrl, with @last = @first + len - 1; an empty
//     page (no match, or .firstResult past the end) has no entity key and
//     @last = @first - 1, and with Options.EmptyAsGetEntity its
//     @responseType is getEntity. URLs point back at the simulator
//     through the request's Host and version.
//   - Paging: .firstResult (0-based, default 0) and .maxResults (0
//     allowed). Without .maxResults the page is Options.DefaultPageSize
//     (Prime's limitUnpagedQuery, no default known: 100). Above
//     Options.PageLimit (limitPageSize, default 1000) the answer is 503
//     "The maximum size of paged request exceeded. Limit is <limit>"
//     (Options.ClampMaxResults serves the limit instead, @last showing what
//     was served). .nocount=true is accepted and, by default, changes
//     nothing; Options.NoCount makes it omit @count or count up to the
//     page's end. The Range header is ignored.
//   - Filters: attr=value, attr="value", attr='value', and attr=op(v) with
//     op among eq, ne, gt, lt, gte, lte, and for strings contains,
//     startsWith, notStartsWith, endsWith, v quoted or not. Criteria are
//     ANDed, or ORed with .and_filter=false (Options.OrFilters makes OR
//     the default, AND needing .and_filter=true). .case_sensitive=false
//     compares strings without regard to case. Attributes: every resource
//     @id (also as id); AccessPointDetails name, reachabilityStatus,
//     mapLocation, unifiedApInfo.controllerName; Devices deviceName,
//     ipAddress, productFamily, reachability, collectionTime; ClientCounts
//     and HistoricalClientCounts type, key, subkey, collectionTime (a
//     number); WlanControllers and WlanControllerDetails name, ipAddress,
//     type, and softwareVersion, mobilityGroupName, rfGroupName (the
//     list) or modelNumber, serialNumber (the details); InventoryDetails
//     summary.deviceName, summary.reachability; Clients connectionType, deviceName, location, protocol,
//     securityPolicyStatus, ssid, status, userName; Alarms severity,
//     acknowledgementStatus (true/false, eq and ne only), deviceName,
//     alarmFoundAt, lastUpdatedAt, category.value, condition.value.
//     Strings compare exactly and order bytewise (isoDates order in
//     time). .sort=attr or -attr over the same attributes, comma-separated
//     for several keys; rows are otherwise, and on ties, in @id order, so
//     paging is exact. An unknown attribute (unless
//     Options.IgnoreUnknownAttributes, which drops it), operator, control
//     parameter (.x or _ctx.x other than those named and _ctx.domain, e.g.
//     .group) or a malformed value is a 400.
//   - Virtual domains: _ctx.domain=<name>. ROOT-DOMAIN sees everything;
//     one sub-domain per campus (NA-Campus, EU-Campus, APAC-Campus,
//     LATAM-Campus as the size has campuses) sees its campus's APs,
//     devices, alarms, clients and client-count rows. System alarms and
//     the ClientCounts SSID and VIRTUALDOMAIN rows of ROOT-DOMAIN are
//     ROOT-DOMAIN's only; each sub-domain has its own such rows, which
//     ROOT-DOMAIN sees too. Without _ctx.domain, ROOT-DOMAIN applies, or
//     the first granted domain when the user lacks ROOT-DOMAIN
//     (Options.Domains); with Options.StickyDomain a session keeps its
//     last _ctx.domain for later requests that name none. A domain that is
//     not granted is a 403 HTML page; one that does not exist too, or,
//     with Options.UnknownDomainEmpty, empty lists. @domain echoes the
//     domain in force.
//   - Auth: HTTP basic auth. No credentials (or only an unknown or expired
//     cookie) are a 302 to /webacs/pages/common/login.jsp, which answers a
//     200 HTML login form, so a client that follows redirects gets a page,
//     not data. Wrong credentials are a 401 HTML page with
//     WWW-Authenticate: Basic realm="Cisco Prime Infrastructure"
//     (Options.WrongPasswordRedirect: the 302 instead). With
//     Options.WithoutNBIRead the user lacks NBI Read: every request the
//     simulator serves is a 403 HTML page. A request with a live
//     JSESSIONID cookie is authenticated by it (the Authorization header
//     is then ignored); otherwise a successful basic auth opens a session:
//     Set-Cookie: JSESSIONID=<id>; Path=/webacs; HttpOnly. A session
//     expires after Options.SessionIdle unused. A user has at most
//     Options.MaxSessions live sessions: basic auth without a live cookie
//     beyond that is a 401 HTML page (Prime's "401 after 5 connections").
//     Sessions are Prime's persistent connections: a request with
//     Connection: close, as Cisco advises, opens none, unless
//     Options.KeepClosedSessions (sessions by cookie alone, where clients
//     must reuse the cookie).
//   - Limits, on requests after authentication: per user at most
//     Options.MaxConcurrent in flight (default 5), beyond that 503 "Per
//     user concurrent query count exceeded Currently <n> : Limit is
//     <limit>", where n counts the rejected request; for all users at most
//     Options.GlobalRateLimit admitted in any Options.RateWindow (off by
//     default), beyond that 503 "NBI Global Rate limit exceeded (More than
//     <limit> in <ms> ms)"; per user at most Options.RateLimit (default 5)
//     in any RateWindow (sliding, default 1 s), beyond that 503 "NBI Rate
//     limit for user <user> exceeded (More than <limit> in <ms> ms)". The
//     503 bodies are text/plain, or errorDocuments with
//     Options.LimitErrorDocument, never with a Retry-After. Rejected
//     requests are charged to none of the windows. An admitted request
//     holds its slot until its answer is ready, not while it is sent: a
//     client that has read an answer may send the next at once.
//     MaxInFlight reports the peak of concurrently admitted requests.
//   - Errors: 400, 404 (an unknown path, resource type or id, or an id the
//     domain does not see), 405 and injected errors are errorDocuments as
//     documented: {"errorDocument": {"httpResponseCode": <code>,
//     "httpMethod": "GET", "message": "<text>", "id": "<id, when Prime
//     gives one>", "uriPath": "<path after /webacs/api/{v}, without the
//     suffix>", "queryParams": "{name=[value], ...}"}}, in the requested
//     format; with Options.HTMLErrorPages 400 and 404 are HTML pages, as
//     some clients observed. 401 and 403 are always HTML pages. Paths
//     outside /webacs/api/ are 404 HTML pages, without authentication.
//   - Fault injection (SetFaults): latency, a seeded error rate, a
//     throttling storm (as Prime sends it, without Retry-After, or with a
//     proxy's), truncated, malformed and oversized bodies, connection
//     resets, totals that shrink during a walk or never end, and a password
//     revoked after a number of calls, its sessions ended. Latency is
//     spent by admitted requests while they hold their in-flight slot, so
//     it makes requests overlap; answers given before admission are not
//     delayed.
//
// Mutators (Step, SetAPReachable, RaiseAlarm, ClearAlarm, RaiseRogues)
// change the world while it serves; Sizes, APs, Devices, Controllers,
// Rogues and Radios report it as it is.
//
// Data: per campus, buildings of 2 to 5 floors; locationHierarchy and
// mapLocation are "NA-Campus > Building-03 > Floor-2". About 2% of the APs
// are unreachable (no clients, no uptime, no controllerName, an active
// AP_DISASSOCIATED alarm); an AP's status is its worst active AP alarm
// severity, CLEARED when none. About three quarters of the alarms are
// active, the rest CLEARED; about a fifth are acknowledged. AP alarms (and
// rogue alarms, naming the detecting AP) have deviceName
// "<apName>,<radio MAC aa:bb:cc:dd:ee:ff>".
//
// ClientCounts holds only the latest collection: every row has its
// collectionTime (the last multiple of Options.CollectionInterval, default
// 5 minutes, at or before the clock at New; Step takes the next one at
// the clock), and each collection's rows have new @ids, in @id order.
// HistoricalClientCounts holds the collections of the last
// Options.HistoryWindow (default 24 h, so 288 collections), oldest first,
// the latest included with the same @ids and counts; older collections
// are rebuilt from the seed when asked for (about 10 ms per collection at
// size large, so a first query over the whole day there takes seconds;
// collectionTime criteria skip whole collections, and the matching counts
// of a query are remembered, so paging through the history is cheap
// after the first page). An AP's or switch's clients vary by ±15% from
// one collection to the next; the collection current at New counts each
// AP's base clients exactly. Rows, as prime.md section 8.1 lays them out:
//
//   - ACCESSPOINT: key the AP's radio MAC in colon form (macAddress.octets
//     with colons), subkey "All" (every reachable AP) or one SSID (Corp,
//     Guest, IoT; only SSIDs with clients). An AP's SSID rows add up to its
//     AccessPointDetails clientCount (5 GHz columns to clientCount_5GHz,
//     2.4 GHz ones to clientCount_2_4GHz); unreachable APs have no rows.
//   - DEVICE: key the management IP. A controller: "All" and one row per
//     SSID with clients, counting its APs' wireless clients. A switch:
//     "All" only, its wired clients in the wired10M/100M/1G/10G columns
//     (count is their sum). Routers have no rows.
//   - MAPLOCATION: key the map location, subkey "All" or one SSID with
//     clients; a row for each campus ("NA-Campus"), building ("NA-Campus >
//     Building-03") and floor ("NA-Campus > Building-03 > Floor-2"), each
//     the sum of what is in it (wireless clients only). Options:
//     MapLocationNames keys them by the bare group name ("Floor-2",
//     repeated across buildings); MapLocationFloorsOnly leaves out the
//     campuses and buildings.
//   - SSID: key "All SSIDs" or one SSID, subkey the virtual domain
//     (ROOT-DOMAIN and each sub-domain; every SSID, zeros included).
//     Options.ZeroSubdomainCounts sends zeros in the sub-domains' rows, as
//     observed at one site.
//   - VIRTUALDOMAIN: key "<domain> <qualifier>", e.g. "ROOT-DOMAIN All
//     Wireless", for the qualifiers All Autonomous APs (always 0: every AP
//     is unified), All SSIDs and All Wireless (both the domain's wireless
//     clients) and All wired (its switches' wired clients); subkey "All".
//     The exact key format is the simulator's choice: none is documented.
//     Options.ZeroSubdomainCounts applies as to SSID rows.
//   - GUEST: with Options.GuestRows, one row keyed "All Guest", subkey
//     "GUEST", counting the Guest SSID (ROOT-DOMAIN only).
//
// Every row carries every count column, zeros as 0; count and authCount
// are the sums of the per-protocol columns; aggregate rows equal the sums
// of their parts exactly; wired clients are never in wireless columns nor
// wireless ones in wired columns.
//
// Clients lists the clients of the latest collection, one per client the
// ACCESSPOINT and DEVICE rows count (no cap: about 70,000 at size large,
// built when asked for): the wireless ones AP by AP (connectionType
// LIGHTWEIGHTWIRELESS, ssid, apMacAddress the AP's radio MAC, deviceName
// and deviceIpAddress its controller, protocol from the column: DOT11A,
// DOT11AC, DOT11AX5GHZ, DOT11N5GHZ, DOT11B, DOT11G, DOT11N2_4GNZ (as
// Cisco spells it), DOT11AX2_4GHZ), then the wired ones switch by switch
// (WIRED, protocol DOT3, clientInterface GigabitEthernet<m>/0/<port>).
// status is ASSOCIATED; securityPolicyStatus PASSED for the clients the
// rows count as authenticated, else FAILED; userName only for
// authenticated clients not on IoT. A client's @id and macAddress are
// stable while its AP (or switch) keeps at least as many clients of its
// kind; ipAddress is distinct within a collection. updateTime is the
// collection's time.
//
// WlanControllers and WlanControllerDetails list the controllers of
// Devices, with the same @ids, one row each. WlanControllers has the
// fields of Checkmk's live v4 sample: ipAddress a string even in v4,
// reachabilityStatus a boolean (Options.ControllerReachabilityString sends
// REACHABLE or UNREACHABLE instead), apCount the reachable APs joined to
// the controller (those AccessPointDetails shows with its controllerName),
// clientCount their clients in the latest ClientCounts collection (its
// DEVICE "All" row), alarmStatus its worst active alarm (CLEARED when
// none), lastBackup absent for about one controller in six, mobility and
// RF groups per campus. WlanControllerDetails has the fields scripts are
// seen reading: name, ipAddress (an address object in v4, as the
// catalogue has IPs), type, modelNumber (C9800-40-K9, C9800-80-K9,
// AIR-CT5520-K9), productDescription, serialNumber (Cisco-style, a
// function of the seed) and apGroups.apGroup[].apGroupName (the groups of
// the APs it manages). With Options.ControllerUtilization it carries
// cpuUtilization and memoryUtilization, integer percents that move a few
// points with each Step; one controller in ten (at least one) runs its
// CPU above 90%. No source names those fields: they are the simulator's
// guess. Controllers reports them, serials included (the same serial is
// the controller's chassis serial in InventoryDetails).
//
// InventoryDetails has the sections of the one v3 response the DTO
// catalogue has: summary {deviceId (Devices' deviceId; the entity's @id
// is its own), deviceName, deviceType, ipAddress (a string, as in
// Devices), productFamily, reachability, softwareVersion, systemTime (the
// device's last inventory collection, Devices' collectionTime), upTime
// (at that time)}, chassis.chassis[] {description, entPhysicalIndex,
// modelNr, name, productId, serialNr}, ethernetInterfaces.ethernetInterface[]
// {adminStatus, description, duplexMode, macAddress, mtu, name,
// operationalStatus, speed}, ipInterfaces.ipInterface[] {adminStatus,
// ipAddress, name, operationalStatus} and cdpNeighbors.cdpNeighbor[]
// {duplexMode, farEndInterface, interfaceIndex, nearEndInterface,
// neighborCapabilities, neighborDeviceName, neighborDevicePlatformType};
// a section with nothing in it is left out. MACs and IPs inside follow
// the version's forms. One switch in ten is a stack of two or three, its
// chassis at entPhysicalIndex 1000, 2000, 3000 (the stack's own first);
// other devices have one chassis at 1. Ports are Catalyst-, ISR/ASR- and
// 9800-style (GigabitEthernet1/0/1 ... 48, TenGigabitEthernet1/1/1 ... 4,
// GigabitEthernet0/0 per 48-port member; about 25,000 at size large). Each
// controller is cabled to two of its campus's routers, each building's
// first switch to two routers and the building's other switches to its
// last access ports, and each AP to an access port of a switch of its
// building (its name the port's description); some other access ports
// carry wired clients, the rest have no link (a few shut down). CDP lists
// both ends of every link between devices, and an AP while it is
// reachable: its port follows the AP up and down. A port without a link
// reports 10 Mb/s, as Catalyst does. Units and spellings no source gives:
// speed in bits per second (Options.InventorySpeedMbps: megabits),
// upTime in hundredths of a second (Options.InventoryUpTimeSeconds:
// seconds), statuses UP and DOWN (Options.InventoryStatusLowerCase: up
// and down); Options.BareListsAt sends these one-element lists as bare
// objects.
//
// Calls counts every authenticated request for a path the simulator
// serves (a resource at any version, data.json, op.json), whatever its
// answer (including 400, 403, 404 for an id or for a resource the version
// does not serve, 405, the 503s and faults); 302s, 401s and unknown paths
// are not counted.
//
// RogueApAlarms lists about 1.2 rogue AP alarms per AP (6,000 at size
// large), four in five active, in @id order; they are kept apart from
// Alarms (Prime lists them in both), so Alarms answers as before for a
// seed. Each carries the alarm base fields as Alarms does (category
// "Rogue AP", condition ROGUE_AP_DETECTED, deviceName "<apName>,<radio
// MAC>" of the detecting AP, source the rogue's MAC) and
// rogueApAlarmDetails: classificationType (UNCLASSIFIED, about 80%,
// MINOR; MALICIOUS, MAJOR or CRITICAL; FRIENDLY, INFORMATION; CUSTOM,
// WARNING), location (the detecting AP's floor), macAddress,
// rogueClients, rssi, ssid and state. Options.RogueClassificationKey and
// Options.RogueLocationKey rename those two keys or leave them out.
// Some buildings hear far more rogues than others. Attributes: those of
// Alarms.
//
// RadioDetails lists two radios per AP in AP order, slot 0 on 2.4 GHz
// (radioType XOR (2.4GHz) on the 2800 and 3800 series, else
// 802.11b/g/n) and slot 1 on 5 GHz (802.11a/n/ac, or 802.11a/n/ac/ax),
// with channelNumber as cpiapi's ChannelNumberEnum spells it ("_36";
// "36" with Options.PlainChannelNumbers), channelWidth "20 MHz" to "80
// MHz" ("40MHz" with Options.CompactChannelWidths), radioBand "2.4 GHz"
// or "5 GHz" (left out with Options.NoRadioBand), powerLevel and
// txPowerOutput in dBm (left out with Options.NoTxPowerOutput), and
// clientCount, the AP's clientCount_2_4GHz and clientCount_5GHz. A down
// AP's radios are operStatus DOWN, without apIpAddress and
// controllerIpAddress. Attributes: apName, slotId, operStatus.
// RFLoadStats holds the latest load sample of each radio of a reachable
// AP (Options.LoadStatsSamples: the last two or three, 20 minutes
// apart, oldest first), with new @ids per sample: channelUtilization,
// txUtilization and rxUtilization in percent (tx and rx within the
// channel's), clientCount, poorCoverageClients, collectionTime (epoch
// ms), macAddress (the base radio's) and ethernetMac. Attributes: slotId,
// collectionTime.
package primesim
