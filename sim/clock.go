package sim

import "fmt"

// Simulated time is int64 nanoseconds since the run began.
const (
	Nanosecond  int64 = 1
	Microsecond       = 1000 * Nanosecond
	Millisecond       = 1000 * Microsecond
	Second            = 1000 * Millisecond
	Minute            = 60 * Second
)

// FormatTime renders a simulated instant for humans, e.g. "12.345678s".
func FormatTime(t int64) string {
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%06ds", sign, t/Second, t%Second/Microsecond)
}
