// Package cxsim is a local fake of the Cisco CX Cloud (BCS Operational
// Insights) API for tests, benchmarks and demos of clients that poll it.
//
// A Server is an http.Handler. Its devices, assets, collectors, field
// notices, security advisories and end-of-life records are a deterministic
// function of Options.Seed, Options.Size and the UTC day of Options.Now at
// New (every date is relative to that day), so the same seed, size and day
// give byte-identical responses.
//
// What it reproduces, following the API features page (rate limiting,
// Last-Modified and ETag, specific endpoint calling, filtering, field
// masks) and the SDK's item models:
//
//   - Endpoints under /bcs/v2/ (the real base is
//     https://api-cx.cisco.com/{region}/bcs/v2/; /{region}/bcs/v2/... is
//     served too, for any region segment): inventory/devices,
//     inventory/assets, collectors (each also by id: /{deviceId},
//     /{physicalAssetId}, /{applianceId}) and productAlerts/fieldNotices,
//     fieldNoticeBulletins, securityAdvisories, securityAdvisoryBulletins,
//     hardwareEndOfLife, hardwareEndOfLifeBulletins, softwareEndOfLife and
//     softwareEndOfLifeBulletins. softwareAdvisoryAlerts is not served.
//     Lists answer {"items": [...]}; a specific-ID call answers the bare
//     object, or 404 {"message": "Not Found"} for an unknown id. Unknown
//     paths answer the same 404 before authentication. Attributes are
//     written in model order; datetimes are YYYY-MM-DDTHH:MM:SS (UTC, no
//     zone), dates YYYY-MM-DD, and absent ones null.
//   - Auth (assumed): POST /oauth2/token, client-credentials grant, client
//     id and secret by HTTP basic auth (preferred when both are sent) or the
//     client_id / client_secret form fields, gives {"access_token", "token_type": "Bearer", "expires_in"}
//     (Options.TokenTTL, default 1h). Wrong client: 401 invalid_client;
//     another grant: 400 unsupported_grant_type; no grant: 400
//     invalid_request. API calls need "Authorization: Bearer <token>";
//     missing, unknown or expired (by Options.Now) tokens give 401
//     {"message": "Unauthorized"} with WWW-Authenticate: Bearer
//     error="invalid_token". Token requests are not rate limited.
//   - Paging (assumed): offset (0-based, default 0) and max (default and
//     cap 1000; anything else is 400 "max must be between 1 and 1000");
//     X-Total-Count carries the total after filters. A page past the end
//     is {"items": []}.
//   - Field masks: fields=a,b,c keeps those attributes (unknown names are
//     ignored; a mask naming only unknown attributes gives empty objects),
//     on lists and specific-ID calls alike.
//   - Filters: the SDK's filter names per endpoint, repeatable
//     (name=v1&name=v2 is v1 OR v2; different names AND). Values compare
//     as the attribute's text, exactly (deviceId=abc matches nothing). Any
//     other parameter, and any filter on a specific-ID call, is 400
//     {"message": "Unknown filter: <name>"}.
//   - Rate limit, per application (client id): Options.PerSecond (10) in
//     each second and Options.PerDay (10,000) in each UTC day of the clock,
//     fixed windows. Every authenticated API response carries
//     RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (for the window
//     nearest its limit; the spent one on a 429), X-RateLimit-Limit-Day,
//     X-RateLimit-Remaining-Day, X-RateLimit-Limit-Second and
//     X-RateLimit-Remaining-Second, written in that casing. Over a limit:
//     429 with the documented 41-byte body {"message":"API rate limit
//     exceeded"}, Content-Type application/json; charset=utf-8, and
//     Retry-After: 1 for the second, or the seconds to the next UTC
//     midnight when the day is spent. 304s, 400s, 404s and 412s are
//     charged (they are requests); 429s and 401s are not.
//   - Last-Modified and ETag: each endpoint's data has a version that
//     changes only when its data does (Step, SetDeviceStatus,
//     AddFieldNoticeMatch). Last-Modified is when that change was
//     processed; ETag is a quoted 32-hex-digit hash of the seed, size, day,
//     the version, the path under /bcs/v2/ and the sorted query, so each
//     URL has its own tag and a restarted simulator with the same seed and
//     day gives the same tags. If-None-Match (weak comparison, "*" allowed)
//     gives 304 with no body, ETag, Last-Modified and the rate-limit
//     headers; without it, If-Modified-Since does the same. If-Match that
//     matches no tag gives 412 {"message": "Precondition Failed"}.
//   - Fault injection (SetFaults): latency, a seeded error rate, 429
//     storms with or without Retry-After, truncated, malformed and
//     oversized bodies, connection resets, totals that shrink during a walk
//     or never end, and a client whose tokens and secret are revoked after
//     a number of calls.
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
