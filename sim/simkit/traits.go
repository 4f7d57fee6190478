package simkit

// Traits are what a simulator's vendor API does that decides what a client
// sees of the shared faults: how it refuses, and what it answers without a
// body. Tests that put every vendor through the same faults read them
// instead of naming vendors; each simulator's own tests check them.
type Traits struct {
	// Throttled is how the API refuses every call under throttle.
	Throttled Refusal
	// Revoked is how the API refuses credentials once revoke bites.
	Revoked Refusal
	// NotModified: a conditional request for data that did not change is
	// answered 304 without a body, which no body fault can spoil.
	NotModified bool
	// LoginRedirect: the API answers a call it does not let in with a
	// redirect to its login page, so a redirect means a refused login.
	LoginRedirect bool
	// LiveDrop names the fault that drops the vendor's live stream; ""
	// for a vendor without one.
	LiveDrop string
}

// Refusal is an answer with which an API refuses a call.
type Refusal struct {
	Status int // its HTTP status
	// Says is a phrase of its text, the same in every such answer; empty
	// where the answers share none.
	Says string
}
