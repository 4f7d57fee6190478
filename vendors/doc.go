// Package vendors is the HTTP plumbing shared by the vendor API clients: a
// client builder, a per-source request budget, the one retrying requester,
// typed API errors, conditional-request storage, page walkers, and the
// flight that lets collections share what they fetch in common.
//
// Sources are polled in the background, so a refresh should fail fast and
// keep the last snapshot rather than stall: a spent hourly or daily quota
// returns a BudgetError at once, and a Retry-After longer than the
// requester's MaxWait ends the request instead of sleeping through it.
package vendors
