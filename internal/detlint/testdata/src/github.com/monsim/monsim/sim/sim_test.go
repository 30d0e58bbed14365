package sim

import (
	"math/rand"
	"os"
	"sync"
	"testing"
	"time"
)

// Tests may use anything.
func TestAnything(t *testing.T) {
	var mu sync.Mutex
	mu.Lock()
	defer mu.Unlock()
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
	_ = time.Now()
	_ = rand.Intn(3)
	_, _ = os.ReadFile("x")
	for k := range map[string]int{} {
		_ = k
	}
}
