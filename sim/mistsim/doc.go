// Package mistsim is a local fake of the Juniper Mist cloud REST API
// (/api/v1/...) for tests, benchmarks and demos of clients that poll Mist.
//
// A Server is an http.Handler. Its org, sites, devices, wireless clients and
// alarms are a deterministic function of Options.Seed and Options.Size, so
// the same seed, size and clock give byte-identical responses.
//
// What it reproduces, following the API contract notes (mist.md):
//
//   - Auth: "Authorization: Token <t>" or the cookie session made by
//     POST /api/v1/login (csrftoken and sessionid cookies; POST/PUT/DELETE
//     from a cookie session need a matching X-CSRFToken header). Missing
//     credentials give 401 "Authentication credentials were not provided.",
//     a wrong token 401 "Invalid token.". Three failed logins from one
//     client address lock its logins for LoginLockout (429).
//
//   - Privileges: the token sees one org; a second org (ForeignOrgID) and its
//     sites (ForeignSiteIDs) exist but answer 403. Unknown org and site ids
//     answer 404 "Not found.", as do unknown paths (before authentication);
//     a known path with the wrong method answers 405.
//
//   - List endpoints (sites, stats/sites, stats/devices, inventory and the
//     site's stats/clients) page with limit (default 100, 0 means the
//     default) and page (1-based) and always send X-Page-Limit (the limit
//     served), X-Page-Page and X-Page-Total; a page past the end is [].
//     A limit above the maximum (Options.MaxLimit, default the documented
//     1000) is clamped to it, or with Options.RefuseLargeLimit a 400, the
//     search endpoints' too; Options.PastEndStatus answers a page past the
//     end with that status instead: the real behaviour of both is not
//     documented. A limit that is not an integer or is negative, or a page
//     below 1, is a 400 with a detail.
//
//   - The org's stats/devices returns a subset of each device's fields
//     unless fields names them (comma separated, added to the subset) or is
//     *: the subset leaves out Options.OptInFields (default uptime,
//     last_seen and num_clients, a choice: the real subset is not
//     documented). Options.FieldsMask serves only the named fields instead.
//
//   - Search endpoints return {start, end, limit, total, results, next}; next
//     is a relative /api/v1/... URI that freezes the window as explicit start
//     and end and carries search_after=[<timestamp_ms>, "<id>"] (URL-encoded
//     JSON); it is absent on the last page. Results are sorted by timestamp
//     descending, then id ascending.
//
//   - Rate limit: every authenticated call is counted per token (per user
//     for a login session) in a window aligned to the wall-clock hour of
//     Options.Now. Once Options.HourlyLimit calls were made, 429 with the
//     documented body until the next hour; Retry-After only when
//     Options.RetryAfter is set, since the real API does not document it.
//     GET /api/v1/self/usage is counted too.
//
//   - Fault injection (SetFaults): latency, a seeded error rate, 429 storms
//     with or without Retry-After, truncated, malformed and oversized
//     bodies, connection resets, totals that shrink during a walk, paging
//     that never ends (a next on every search page, list totals one page
//     ahead), a next that points back at its own page, and a token or
//     password revoked after a number of calls.
//
//   - Wired, WAN and Mist Edge health (E26-E35) and site SLEs (E21), with
//     the spec's open points as Options; see docs/simulators.md. Their
//     world is drawn from random streams of its own, so the other
//     endpoints answer as before for a seed.
//
//   - Alarms carry the alarm object's optional note and, once
//     acknowledged (AckAlarm), acked_time, ack_admin_name and
//     ack_admin_id. AlarmWebhook writes the alarms webhook Mist would post
//     for open alarms (mist.md section 8), for a test to sign and send.
//
//   - The WebSocket stream at StreamPath (mist.md section 15): subscribe
//     and unsubscribe, per-site device-stats data frames, pushes at Step,
//     and the stream_drop and stream_refuse faults.
//
// Time: a client search sees the clients as they were at the end of its
// window: connected clients within the 5 minutes before it, historical ones
// 2 to 20 hours before it. That timeline moves in whole minutes, so a walk
// over a frozen window keeps its order and totals while the clock runs.
// Clients of an AP that is down are neither connected nor searchable until
// it comes back. Alarms carry absolute times; the initial ones are spread
// over the 20 hours before New.
package mistsim
