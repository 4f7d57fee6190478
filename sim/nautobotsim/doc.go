// Package nautobotsim is a local fake of the Nautobot REST API (/api/...),
// the inventory source of truth, for tests, benchmarks and demos of
// clients that read it.
//
// A Server is an http.Handler. Its locations, devices, prefixes and
// addresses are a deterministic function of Options.Seed and Options.Size,
// or of Options.Mirror: the devices other vendors' simulators manage,
// mirrored with deliberate drift that Drift reports. The same options,
// clock and Host give byte-identical responses.
//
// What it reproduces, following the API contract notes (nautobot.md):
//
//   - Releases: Options.Version "2.x" (2.4; API versions 2.0-2.4, default
//     2.4) or "1.x" (1.6; API versions 1.2-1.6, default 1.2), with the
//     field names and nesting of each: 2.x has role, location, status and
//     primary_ip4 as related objects, {id, object_type, url} at depth 0 and
//     nested objects at depth 1-10, exclude_m2m and include=config_context;
//     1.x has device_role, site, primary_ip, status as {value, label},
//     nested serializers, ?brief, dates for created, /api/dcim/sites/,
//     /api/dcim/regions/ and /api/dcim/device-roles/; depth and
//     exclude_m2m are not parameters there, so they are unknown filters.
//   - Versioning: "Accept: application/json; version=X" or ?api_version=X;
//     a refused header version is 406, a refused query version 404, the two
//     disagreeing 400, each with Nautobot's detail text. Every response
//     after negotiation carries API-Version.
//   - Auth: "Authorization: Token <key>"; failures are 403 with DRF's
//     texts ("Authentication credentials were not provided.", "Invalid
//     token", "Token expired"), /api/ and /api/status/ included. The token
//     is read-only: writes to model endpoints are 403.
//   - Paging: limit/offset with PAGINATE_COUNT (50) and MAX_PAGE_SIZE
//     (1000): a larger limit is clamped, limit=0 is the cap, a bad limit is
//     the default, an offset past the end gives no results. next and
//     previous are absolute URLs built from the request's Host that keep
//     every other parameter; previous drops offset when it reaches 0.
//   - Filters: repeated values OR, different filters AND; related objects
//     by UUID or name (slug in 1.x); location matches descendants; string
//     lookups (__n, __ic, __isw, __iew, __ie and negations) and __isnull.
//     An unknown parameter is a 400 {"<param>": ["Unknown filter field"]};
//     an unknown related value a 400 with Django's invalid-choice text.
//     Filters also apply to detail views.
//   - Errors: unknown paths 404 {"detail": "Not found."}; a path without its
//     trailing slash redirects (302); a missing object 404 with the
//     release's text.
//   - Fault injection (SetFaults): latency, a seeded error rate (500 in
//     Nautobot's JSON shape, 502-504 as a proxy's page), 429 with
//     Retry-After as a proxy would send (or without), truncated, malformed
//     and oversized bodies, connection resets, counts that shrink during a
//     walk or never end, a next that points back at its own page, and a
//     token revoked after a number of calls.
//
// Step changes a few devices' status or location, deterministically, so a
// poller sees the inventory move.
package nautobotsim
