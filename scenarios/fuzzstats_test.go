package scenarios

import "os"

// fuzzStats counts, for the measurement in BENCHMARKS.md, how many calls of
// the fuzz function ran a cluster. go's fuzzer calls it in worker processes
// whose output it throws away and which it may restart, so nothing can be
// printed at the end: instead every call appends one byte to the file
// MONSIM_FUZZSTATS names, 'c' when a call starts and 'r' when it reaches a
// cluster run. Count them with
//
//	tr -cd c <FILE | wc -c; tr -cd r <FILE | wc -c
//
// Unset (always, outside that measurement), it does nothing.
var fuzzStats = openFuzzStats()

func openFuzzStats() *os.File {
	path := os.Getenv("MONSIM_FUZZSTATS")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	return f
}

// fuzzStat records one event: 'c' (a call) or 'r' (a cluster reached).
func fuzzStat(event byte) {
	if fuzzStats != nil {
		_, _ = fuzzStats.Write([]byte{event})
	}
}
