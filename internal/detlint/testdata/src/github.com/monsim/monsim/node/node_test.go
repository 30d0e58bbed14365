package node

import (
	"testing"
	"time"
)

func TestWallClockAllowedInTests(t *testing.T) {
	go func() {}()
	_ = time.Since(time.Now())
}
