// Package simkit holds what the vendor simulators share: call counting,
// the fault vocabulary (Faults, fault names, SetFault) and fault injection,
// the paging faults' window, world-building (random streams, weighted
// picks, splits, sizes, seed-derived secrets, UUIDs) and a JSON string
// writer.
//
// Each simulator keeps its own answers (status codes, bodies, which
// requests count); simkit only carries what is the same in all of them. It
// imports nothing of the product, nor does anything under sim/.
package simkit
