//go:build race

package importfile

// raceEnabled reports whether the test binary runs under the race detector, which changes
// what memory measurements mean.
const raceEnabled = true
