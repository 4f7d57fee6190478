// Package primesim is a local fake of the Cisco Prime Infrastructure REST
// API v4 data resources (/webacs/api/v4/data/...) for tests, benchmarks
// and demos of clients that poll Prime.
//
// A Server is an http.Handler. Its campuses, access points, devices,
// client-count samples and alarms are a deterministic function of
// Options.Seed, Options.Size and the clock at New, so the same seed, size
// and clock give byte-identical responses.
//
// Resources: AccessPointDetails (accessPointDetailsDTO), Devices
// (devicesDTO: wireless controllers, switches and routers; APs are not
// devices), ClientCounts (clientCountsDTO) and Alarms (alarmsDTO). Field
// names, types and v4 object forms follow prime-v4-dto-fields.json:
// ethernetMac {"octets": "<12 hex>"}, ipAddress {"address": "<ip>"},
// category and condition {"ordinal": n, "value": "..."}, isoDate strings
// in UTC ("2026-11-23T17:28:02.000Z"), ClientCounts collectionTime in epoch
// milliseconds; absent values are omitted, never null. The ordinals are
// the simulator's own numbering: match on value.
//
// What it reproduces:
//
//   - Paths: GET /webacs/api/v4/data/{Resource}[.json] lists, and
//     /webacs/api/v4/data/{Resource}/{id}[.json] answers one entity
//     (@responseType getEntity, entity a one-element list). The .json
//     suffix is optional and the answer is JSON whatever Accept says.
//     HEAD is served as GET; other methods 405.
//   - Lists: .full=true gives listEntityInstances (entity[] with @dtoType,
//     @type, @url and the DTO under its dtoKey); otherwise listEntityIds
//     (entityId[] of {"$": "<id>", "@url": ...}). The queryResponse carries
//     @last, @first, @count, @type, @domain, @requestUrl, @responseType and
//     @rootUrl, with @last = @first + len - 1; an empty page (no match, or
//     .firstResult past the end) has no entity key and @last = @first - 1.
//     URLs point back at the simulator through the request's Host.
//   - Paging: .firstResult (0-based, default 0) and .maxResults (default
//     100, 0 allowed). Above 1000 the answer is 503 text/plain "The maximum
//     size of paged request exceeded. Limit is 1000".
//   - Filters, ANDed: attr=value, attr="value", attr=eq(v), ne(v), gt(v),
//     lt(v), gte(v), lte(v), with or without quotes around v. Attributes:
//     AccessPointDetails @id, name, reachabilityStatus; Devices @id,
//     deviceName, ipAddress, productFamily, reachability, collectionTime;
//     ClientCounts @id, type, key, subkey, collectionTime (a number);
//     Alarms @id, severity, acknowledgementStatus (true/false, eq and ne
//     only), deviceName, alarmFoundAt, lastUpdatedAt. Strings compare
//     exactly and order bytewise (isoDates order in time). .sort=attr or
//     -attr over the same attributes, comma-separated for several keys;
//     rows are otherwise, and on ties, in @id order, so paging is exact.
//     An unknown attribute, operator, control parameter (.x or _ctx.x
//     other than _ctx.domain) or a malformed value is a 400.
//   - Virtual domains: _ctx.domain=<name>. ROOT-DOMAIN sees everything;
//     one sub-domain per campus (NA-Campus, EU-Campus, APAC-Campus,
//     LATAM-Campus as the size has campuses) sees its campus's APs,
//     devices, alarms and ClientCounts rows. System alarms and the
//     ClientCounts SSID rows with subkey ROOT-DOMAIN are ROOT-DOMAIN's
//     only; each sub-domain has its own SSID rows with its name as subkey.
//     Without _ctx.domain, ROOT-DOMAIN applies, or the first granted
//     domain when the user lacks ROOT-DOMAIN (Options.Domains). A domain
//     that does not exist or is not granted is a 403. @domain echoes the
//     domain in force.
//   - Auth: HTTP basic auth. Missing or wrong credentials are a 401 with
//     WWW-Authenticate: Basic realm="Cisco Prime Infrastructure". A request
//     with a live JSESSIONID cookie is authenticated by it (the
//     Authorization header is then ignored); otherwise a successful basic
//     auth opens a session: Set-Cookie: JSESSIONID=<id>; Path=/webacs;
//     HttpOnly. A session expires after Options.SessionIdle unused. A user
//     has at most Options.MaxSessions live sessions: basic auth without a
//     live cookie beyond that is a 401 (Prime's "401 after 5 connections").
//     Sessions are Prime's persistent connections: a request with
//     Connection: close, as Cisco advises, opens none, unless
//     Options.KeepClosedSessions (sessions by cookie alone, where clients
//     must reuse the cookie).
//   - Limits, per user, on data requests after authentication: at most
//     Options.MaxConcurrent in flight, beyond that 503 text/plain "Per user
//     concurrent query count exceeded Currently <n> : Limit is <limit>",
//     where n counts the rejected request; at most Options.RateLimit
//     admitted in any Options.RateWindow (sliding), beyond that 503 "NBI
//     Rate limit for user <user> exceeded (More than <limit> in <ms> ms)".
//     Rejected requests are charged to neither. An admitted request holds
//     its slot until its answer is ready, not while it is sent: a client
//     that has read an answer may send the next at once. MaxInFlight
//     reports the peak of concurrently admitted requests.
//   - Errors other than those 503s are JSON (an assumed shape):
//     {"errorDocument": {"httpResponseCode": <code>, "httpMethod": "GET",
//     "message": "<text>", "uriPath": "<path>"}} for 400, 401, 403, 404 (an
//     unknown path or resource, or an id the domain does not see), 405 and
//     injected errors.
//   - Fault injection (SetFaults): latency, a seeded error rate, a
//     throttling storm (as Prime sends it, without Retry-After, or with a
//     proxy's), truncated, malformed and oversized bodies, connection
//     resets, totals that shrink during a walk or never end, and a password
//     revoked after a number of calls, its sessions ended. Latency is
//     spent by admitted data requests while they hold their in-flight
//     slot, so it makes requests overlap; answers given before admission
//     are not delayed.
//
// Mutators (Step, SetAPReachable, RaiseAlarm, ClearAlarm) change the world
// while it serves; Sizes and APs report it as it is.
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
// ClientCounts keeps three samples, 5 minutes apart, the latest at or
// before the clock at New (Step adds the next one and drops the oldest),
// so a client must pick the latest collectionTime. Each sample has rows of
// type ACCESSPOINT (key the AP's radio MAC in colon form, i.e.
// macAddress.octets with colons; subkey the SSID; only SSIDs with
// clients), MAPLOCATION (key the floor's location, subkey the SSID; only
// with clients), SSID (key Corp, Guest, IoT or "All SSIDs"; subkey the
// virtual domain) and DEVICE (key a controller's or switch's IP, subkey
// "All": the wireless clients of the controller's APs, or a switch's wired
// clients). In the latest sample the ACCESSPOINT rows of an AP add up to
// its clientCount (5 GHz columns to clientCount_5GHz, 2.4 GHz ones to
// clientCount_2_4GHz), and the SSID "All SSIDs" row of a domain to the
// clients of its APs. count and authCount are the sums of the per-protocol
// columns.
//
// Calls counts every authenticated request for a known data resource path,
// whatever its answer (including 400, 403, 405, the 503s and faults); 401s
// and unknown paths are not counted.
package primesim
