//go:build unix

package scenarios

import "syscall"

// processCPU is the CPU time this process has used, user and system, in
// seconds, every thread included (the collector's and porcupine's too).
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// peakRSS is the most memory the process has held resident, in MB. It is
// a run's own peak only when that run is the first thing the process does.
func peakRSS() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KB
}
