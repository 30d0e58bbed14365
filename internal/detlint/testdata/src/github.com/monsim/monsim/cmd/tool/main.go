// Command tool is outside the simulated world: nothing here is reported.
package main

import (
	"math/rand"
	"os"
	"sync"
	"time"
)

func main() {
	var mu sync.Mutex
	mu.Lock()
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
	_ = time.Now()
	_ = rand.Intn(3)
	for k := range map[string]int{} {
		_ = k
	}
	os.Exit(0)
}
