package simkit

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"
)

// NewRand is the random stream of one part of a simulated world: the same
// seed and stream give the same numbers, and streams do not shift each
// other.
func NewRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// Mix is a small integer hash for per-object values that need no storage.
func Mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// PickWeighted draws an index of items, each as likely as its weight.
func PickWeighted[T any](r *rand.Rand, items []T, weight func(*T) int) int {
	total := 0
	for i := range items {
		total += weight(&items[i])
	}
	n := r.IntN(total)
	for i := range items {
		n -= weight(&items[i])
		if n < 0 {
			return i
		}
	}
	return len(items) - 1
}

// PickIndex draws an index of weights, each as likely as its value.
func PickIndex(r *rand.Rand, weights []int) int {
	return PickWeighted(r, weights, func(w *int) int { return *w })
}

// Split divides n into len(w) parts proportional to w, each at least least;
// the rounding's remainder goes one each to the first parts.
func Split(n int, w []float64, least int) []int {
	out := make([]int, len(w))
	rest := max(0, n-least*len(w))
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	used := 0
	for i, x := range w {
		out[i] = least + int(float64(rest)*x/sum)
		used += out[i]
	}
	for i := 0; used < n && len(out) > 0; i = (i + 1) % len(out) {
		out[i]++
		used++
	}
	return out
}

// RandString is n characters drawn from set.
func RandString(r *rand.Rand, set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

// NewUUID draws a version 4 UUID.
func NewUUID(r *rand.Rand) [16]byte {
	var u [16]byte
	a, b := r.Uint64(), r.Uint64()
	for j := range 8 {
		u[j] = byte(a >> (8 * j))
		u[8+j] = byte(b >> (8 * j))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// AppendUUID appends u in its 8-4-4-4-12 text form.
func AppendUUID(b []byte, u [16]byte) []byte {
	var h [32]byte
	hex.Encode(h[:], u[:])
	b = append(b, h[0:8]...)
	b = append(b, '-')
	b = append(b, h[8:12]...)
	b = append(b, '-')
	b = append(b, h[12:16]...)
	b = append(b, '-')
	b = append(b, h[16:20]...)
	b = append(b, '-')
	return append(b, h[20:32]...)
}

// SizeOf looks up the spec of a world's size in specs: "" is small, and
// *size is set to it. pkg names the simulator in the error for another.
func SizeOf[S any](pkg string, size *string, specs map[string]S) (S, error) {
	if *size == "" {
		*size = "small"
	}
	spec, ok := specs[*size]
	if !ok {
		return spec, fmt.Errorf("%s: unknown size %q (want small, medium or large)", pkg, *size)
	}
	return spec, nil
}

// NowOr is now, or time.Now when nil: a simulator's clock.
func NowOr(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// SecretHex is n bytes drawn from r, in hex: a credential derived from the
// seed, drawn from a stream of its own so that it does not shift the data.
func SecretHex(r *rand.Rand, n int) string { return hex.EncodeToString(SecretBytes(r, n)) }

// SecretBytes is n bytes drawn from r, a byte a draw.
func SecretBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
