package checker

import (
	crand "crypto/rand" // want `global-rand: import "crypto/rand": use the internal/rng stream`
	mrand "math/rand"   // want `global-rand: import "math/rand"`
)

var _ = mrand.Intn
var _ = crand.Reader
