package mutate

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// Sample picks n of the mutants, the same n for the same seed and the same
// list, and returns them in their original order. n <= 0 or n >= len
// keeps all of them.
func Sample(ms []Mutant, n int, seed uint64) []Mutant {
	if n <= 0 || n >= len(ms) {
		return slices.Clone(ms)
	}
	idx := rand.New(rand.NewPCG(seed, 0x6d7574617465)).Perm(len(ms))[:n]
	slices.Sort(idx)
	out := make([]Mutant, n)
	for i, j := range idx {
		out[i] = ms[j]
	}
	return out
}

// ParseEquivalent reads an equivalence list: one mutant id per line,
// followed by a one-line argument for why the mutant cannot change what
// the oracle observes. Blank lines and lines starting with # are ignored.
// It returns the argument for each id.
func ParseEquivalent(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		id, why, _ := strings.Cut(text, " ")
		why = strings.TrimSpace(why)
		switch {
		case strings.Count(id, ":") != 4:
			return nil, fmt.Errorf("line %d: %q is not a mutant id (file:line:col:operator:index)", line, id)
		case why == "":
			return nil, fmt.Errorf("line %d: %s has no argument for its equivalence", line, id)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("line %d: %s is listed twice", line, id)
		}
		out[id] = why
	}
	return out, sc.Err()
}
