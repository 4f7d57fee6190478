// Package simkit holds what the vendor simulators share: call counting and
// fault injection.
//
// Each simulator keeps its own answers (status codes, bodies, which
// requests count); simkit only carries the plumbing that is the same in
// all of them.
package simkit
