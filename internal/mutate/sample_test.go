package mutate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func fakeMutants(n int) []Mutant {
	var ms []Mutant
	for i := range n {
		ms = append(ms, Mutant{File: "p/x.go", Line: i + 1, Col: 1, Op: CmpFlip})
	}
	return ms
}

func TestSampleIsDeterministicAndInOrder(t *testing.T) {
	ms := fakeMutants(50)
	a, b := Sample(ms, 10, 1), Sample(ms, 10, 1)
	require.Len(t, a, 10)
	require.Equal(t, a, b)
	for i := 1; i < len(a); i++ {
		require.Less(t, a[i-1].Line, a[i].Line)
	}
	require.NotEqual(t, a, Sample(ms, 10, 2))
	require.Equal(t, ms, Sample(ms, 0, 1))
	require.Equal(t, ms, Sample(ms, 80, 1))
}

func TestParseEquivalent(t *testing.T) {
	eq, err := ParseEquivalent(strings.NewReader(`# known equivalents
node/a.go:3:4:cmp-flip:0 x is never equal to y here: both are drawn from disjoint ranges

node/b.go:9:2:call-drop:0   only a probe point: a host hook, no state
`))
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"node/a.go:3:4:cmp-flip:0":  "x is never equal to y here: both are drawn from disjoint ranges",
		"node/b.go:9:2:call-drop:0": "only a probe point: a host hook, no state",
	}, eq)
	for in, msg := range map[string]string{
		"node/a.go:3:4:cmp-flip:0\n": "line 1: node/a.go:3:4:cmp-flip:0 has no argument",
		"node/a.go:3 why\n":          `line 1: "node/a.go:3" is not a mutant id`,
		"node/a.go:3:4:cmp-flip:0 a\n\nnode/a.go:3:4:cmp-flip:0 b\n": "line 3: node/a.go:3:4:cmp-flip:0 is listed twice",
	} {
		_, err := ParseEquivalent(strings.NewReader(in))
		require.ErrorContains(t, err, msg, fmt.Sprintf("%q", in))
	}
}
