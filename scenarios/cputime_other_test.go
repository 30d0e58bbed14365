//go:build !unix

package scenarios

// processCPU is not measured here: BenchmarkScenario leaves out its CPU
// figures.
func processCPU() float64 { return 0 }

// peakRSS is not measured here.
func peakRSS() float64 { return 0 }
