//go:build race

package cxsource_test

// raceDetector is true in a build with the race detector, which makes
// decoding many times slower.
const raceDetector = true
