// Package cxsim is a local fake of the Cisco CX Cloud (BCS Operational
// Insights) API for tests, benchmarks and demos of clients that poll it.
//
// A Server is an http.Handler. Its devices, assets, collectors, field
// notices, security advisories and end-of-life records are a deterministic
// function of Options.Seed, Options.Size and the UTC day of Options.Now at
// New (every date is relative to that day), so the same seed, size and day
// give byte-identical responses.
//
// What it reproduces, following the API contract notes (cxcloud.md: the
// documentation pages and Cisco's SDK, bcs-oi-api-sdk), with each
// behaviour they leave open offered as an option:
//
//   - Endpoints under /{region}/bcs/v2/ for any single region segment (the
//     base URI has no other form): inventory/devices, inventory/assets,
//     collectors, contract/serials (each also by id: /{deviceId},
//     /{physicalAssetId}, /{applianceId}, /{serialNumber}),
//     productAlerts/fieldNotices, fieldNoticeBulletins,
//     securityAdvisories, securityAdvisoryBulletins, hardwareEndOfLife,
//     hardwareEndOfLifeBulletins, softwareEndOfLife and
//     softwareEndOfLifeBulletins, deviceReset/lastResetDetails and
//     resetHistory, deviceReset/resetCount (one bare object) and
//     bulk/alerts (JSON Lines, see below). softwareAdvisoryAlerts is not
//     served. Lists answer {"items": [...]}; a specific-ID call answers
//     the bare object, or 404 {"message": "Not Found"} for an unknown id.
//     Unknown paths answer the same 404 before authentication. Attributes
//     are written in model order; datetimes are YYYY-MM-DDTHH:MM:SS (UTC,
//     no zone), dates YYYY-MM-DD, contractSiteShipDate
//     YYYY-MM-DD HH:MM:SS, and absent ones null.
//   - Auth (DOC-AUTH, the SDK's _obtain_jwt): POST /torii-auth/v1/token/
//     (also without the trailing slash) with the JSON body {"grantType":
//     "client_credentials", "clientId", "secret", "scope":
//     "api.bcs.manage"} answers {"tokenType": "Bearer", "expiresIn",
//     "accessToken", "scope": ["api.bcs.manage"]}; expiresIn is
//     Options.TokenTTL (default the documented 3200 s) and the token is an
//     HS256 JWT whose payload has exp = now + expiresIn, as the SDK
//     decodes it. An OAuth2 form or HTTP basic auth request is a 400
//     saying the endpoint takes JSON; a missing key or another grant a
//     400; an unknown client, wrong secret or scope a 401; every error
//     body {"message"} (their real shape is not documented). API calls
//     need "Authorization: Bearer <token>"; a missing, unknown, forged or
//     expired (by Options.Now) token gives 401 {"message": "Unauthorized"}
//     with WWW-Authenticate: Bearer error="invalid_token". Token requests
//     are not rate limited.
//   - Paging (the SDK's _get_all_items): the server picks the page size
//     (Options.PageSize, default 1000, a choice: the real one is not
//     documented) and ignores a max parameter; offset picks the first item,
//     counted from 1 (Options.ZeroBasedOffsets: from 0), the first page
//     answering offset 1 (or 0). Every list answer carries the headers
//     offset, max and total (after filters), written in lower case; a page
//     past the end is {"items": []} with them. HEAD on inventory/devices
//     and inventory/assets answers the headers without a body.
//   - Field masks: fields=a,b,c keeps those attributes (unknown names are
//     ignored; a mask naming only unknown attributes gives empty objects),
//     on lists and specific-ID calls alike.
//   - Filters: the SDK's filter names per endpoint, repeatable
//     (name=v1&name=v2 is v1 OR v2; different names AND, or OR with
//     Options.FiltersAnyKey: not documented). Values compare
//     as the attribute's text, exactly (deviceId=abc matches nothing). Any
//     other parameter is ignored, or with Options.StrictParams a 400
//     {"message": "Unknown filter: <name>"} (the real behaviour is not
//     documented).
//   - Rate limit, per application (client id): Options.PerSecond (10) in
//     each second and Options.PerDay (10,000) in each UTC day of the clock,
//     fixed windows. Over a limit: 429 with the documented 41-byte body
//     {"message":"API rate limit exceeded"}, Content-Type
//     application/json; charset=utf-8, Retry-After: 1 for the second, or
//     the seconds to the next UTC midnight when the day is spent, and
//     RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (for the spent
//     window), X-RateLimit-Limit-Day, X-RateLimit-Remaining-Day,
//     X-RateLimit-Limit-Second and X-RateLimit-Remaining-Second, written in
//     that casing. Options.RateHeadersOn2xx sends them on every answer
//     (the documentation shows them on the 429 only). 304s, 400s, 404s and
//     412s are charged (they are requests); 429s and 401s are not.
//   - Last-Modified and ETag: each endpoint's data has a version that
//     changes only when its data does (Step, SetDeviceStatus,
//     AddFieldNoticeMatch; the reset endpoints follow the devices, the
//     contracts the assets). Last-Modified is when that change was
//     processed; ETag is a quoted 32-hex-digit hash of the seed, size, day,
//     the version, the path under the base and the sorted query, so each
//     URL has its own tag and a restarted simulator with the same seed and
//     day gives the same tags. If-None-Match (weak comparison, "*" allowed)
//     gives 304 with no body, ETag and Last-Modified; without it,
//     If-Modified-Since does the same. Options.FirstPageConditional
//     applies them to a list's first page only. If-Match that matches no
//     tag gives 412 {"message": "Precondition Failed"}. bulk/alerts has
//     neither, or with Options.BulkConditional both, its version changing
//     with the data of any endpoint it carries (not documented either way).
//   - bulk/alerts: one JSON object per line with its type: reset_count,
//     device (the device with its assets, each with fieldNotices,
//     hardwareEndOfLife and contract, and its softwareEndOfLife,
//     securityAdvisory and an empty configurationBestPractice),
//     lastest_reset (sic), history_reset, fn_bulletin, psirt_bulletin,
//     hw_eox_bulletin and sw_eox_bulletin, consistent with the lists,
//     streamed (chunked, never held whole) as application/x-ndjson.
//     Options.BulkQuirks writes contract dates as "" and leaves
//     baseProductIdList out. No field mask, filter or paging applies.
//   - Fault injection (SetFaults): latency, a seeded error rate, 429
//     storms with or without Retry-After, truncated, malformed and
//     oversized bodies, connection resets, totals that shrink during a walk
//     or never end, list answers without their paging headers, a
//     processing run in the middle of a walk, tokens that lapse after a
//     number of calls, and a client whose tokens and secret are revoked
//     after a number of calls.
//
// Data: devices come in site blocks of about 20 (routers, switches, access
// points, wireless controllers of real product IDs), each with a chassis
// asset carrying a unique serial number and, for most non-AP products,
// power supplies, fans (no serial number, serialNumberStatus N/A) and
// modules. About 20% of devices match field notices for their product and
// 25% match security advisories for their software type, with Vulnerable,
// Potentially Vulnerable and Not Vulnerable confidences. Hardware
// end-of-life items exist per asset of an end-of-life product, software
// end-of-life items per device running an end-of-life release; their
// bulletins' milestones span all stages (all past, last day of support
// within 180 days, years ahead, only announced), and current and next
// milestones are as of the world's day.
package cxsim
