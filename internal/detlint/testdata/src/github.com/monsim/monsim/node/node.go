// Package node plants the wall-clock cases.
package node

import "time"

// Lease uses time only for durations and instants handed in: all fine.
type Lease struct {
	Start    time.Time
	Duration time.Duration
}

func (l Lease) Valid(now time.Time) bool {
	return now.Before(l.Start.Add(l.Duration)) && l.Duration > 3*time.Millisecond
}

func timeout(base time.Duration) time.Duration { return base + time.Duration(2)*time.Second }

func wallClock() {
	start := time.Now()             // want `wall-clock: time.Now uses the wall clock; use the simulated clock`
	_ = time.Since(start)           // want `wall-clock: time.Since`
	_ = time.Until(start)           // want `wall-clock: time.Until`
	time.Sleep(time.Millisecond)    // want `wall-clock: time.Sleep`
	_ = time.After(time.Second)     // want `wall-clock: time.After`
	time.AfterFunc(0, func() {})    // want `wall-clock: time.AfterFunc`
	_ = time.Tick(time.Second)      // want `wall-clock: time.Tick`
	_ = time.NewTimer(time.Second)  // want `wall-clock: time.NewTimer`
	_ = time.NewTicker(time.Second) // want `wall-clock: time.NewTicker`
	clock := time.Now               // want `wall-clock: time.Now`
	_ = clock
}
