// Package scenarios plants the map-order cases.
package scenarios

import (
	"maps"
	"slices"
)

type byName map[string]int

func mapOrder(m map[string]int, named byName) (out []string) {
	for k := range m { // want `map-order: range over a map: Go randomises map iteration order; sort the keys first`
		out = append(out, k)
	}
	for k, v := range named { // want `map-order: range over a map`
		_, _ = k, v
	}
	for k := range maps.Keys(m) { // want `map-order: range over maps.Keys`
		out = append(out, k)
	}
	//detlint:order-independent
	for range m { // want `map-order: //detlint:order-independent needs a reason`
	}
	return out
}

func generic[M ~map[K]V, K comparable, V any](m M) {
	for k := range m { // want `map-order: range over a map`
		_ = k
	}
}

// Near misses: annotated ranges, and ranges that are not over a map.
func nearMissMapOrder(m map[string]int, s []string) (sum int) {
	//detlint:order-independent addition is commutative
	for _, v := range m {
		sum += v
	}
	for _, v := range m { //detlint:order-independent addition is commutative
		sum += v
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		sum += m[k]
	}
	for i, v := range s {
		sum += i + len(v)
	}
	for i := range 3 {
		sum += i
	}
	return sum
}
