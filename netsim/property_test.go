package netsim

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// op is one step of a generated script against a network.
type op struct {
	kind     string
	from, to int
	at       int64 // send time or clog release
	msg      []byte
	groups   [][]int
	opts     LinkOptions
}

func optionsGen() *rapid.Generator[LinkOptions] {
	return rapid.Custom(func(t *rapid.T) LinkOptions {
		lo := rapid.Int64Range(0, 1000).Draw(t, "latencyMin")
		prob := func(name string) float64 {
			// Favour the edges, where off-by-one mistakes live.
			return rapid.OneOf(rapid.Just(0.0), rapid.Just(1.0), rapid.Float64Range(0, 1)).Draw(t, name)
		}
		return LinkOptions{
			LatencyMin: lo,
			LatencyMax: lo + rapid.Int64Range(0, 1000).Draw(t, "latencySpread"),
			TailProb:   prob("tailProb"),
			TailMax:    rapid.Int64Range(0, 10_000).Draw(t, "tailMax"),
			Loss:       prob("loss"),
			Dup:        prob("dup"),
			Corrupt:    prob("corrupt"),
		}
	})
}

func scriptGen(nodes int) *rapid.Generator[[]op] {
	node := rapid.IntRange(0, nodes-1)
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) op {
		o := op{
			kind: rapid.SampledFrom([]string{"send", "send", "send", "send", "partition",
				"block", "unblock", "clog", "unclog", "heal", "setlink"}).Draw(t, "kind"),
			from: node.Draw(t, "from"),
			to:   node.Draw(t, "to"),
			at:   rapid.Int64Range(0, 100_000).Draw(t, "at"),
		}
		switch o.kind {
		case "send":
			o.msg = rapid.SliceOfN(rapid.Byte(), 0, 16).Draw(t, "msg")
		case "partition":
			perm := rapid.Permutation(seq(nodes)).Draw(t, "perm")
			cut := rapid.IntRange(0, nodes).Draw(t, "cut")
			o.groups = [][]int{perm[:cut]} // the rest are unlisted
			if rapid.Bool().Draw(t, "split more") && cut < nodes {
				o.groups = append(o.groups, perm[cut:cut+1])
			}
		case "setlink":
			o.opts = optionsGen().Draw(t, "opts")
		}
		return o
	}), 1, 200)
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// apply runs ops against n and returns a printable log of every outcome.
func apply(n *Network, ops []op) []string {
	var log []string
	for _, o := range ops {
		switch o.kind {
		case "send":
			out, drop := n.Send(o.at, o.from, o.to, o.msg, nil)
			log = append(log, fmt.Sprintf("%s %v", drop, out))
		case "partition":
			n.Partition(o.groups...)
		case "block":
			n.Block(o.from, o.to)
		case "unblock":
			n.Unblock(o.from, o.to)
		case "clog":
			n.Clog(o.from, o.to, o.at)
		case "unclog":
			n.Unclog(o.from, o.to)
		case "heal":
			n.Heal()
		case "setlink":
			n.SetLink(o.from, o.to, o.opts)
		}
	}
	return log
}

// TestDeliveriesObeyTheirLinkOptions runs random scripts and checks every
// outcome of Send against the options, cuts and clogs in force at the time.
func TestDeliveriesObeyTheirLinkOptions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := rapid.IntRange(1, 5).Draw(t, "nodes")
		n := newNet(nodes, rapid.Uint64().Draw(t, "seed"), optionsGen().Draw(t, "defaults"))
		clog := make(map[[2]int]int64) // release time per link, as the test sees it
		for _, o := range scriptGen(nodes).Draw(t, "script") {
			key := [2]int{o.from, o.to}
			switch o.kind {
			case "clog":
				clog[key] = o.at
			case "unclog":
				delete(clog, key)
			case "heal":
				clear(clog)
			}
			if o.kind != "send" {
				apply(n, []op{o})
				continue
			}
			sent := bytes.Clone(o.msg)
			linked := n.Connected(o.from, o.to)
			opts := n.Options(o.from, o.to)
			out, drop := n.Send(o.at, o.from, o.to, o.msg, nil)
			require.Equal(t, sent, o.msg, "sender's buffer untouched")

			if o.from == o.to {
				require.Equal(t, None, drop)
				require.Len(t, out, 1)
				require.Equal(t, Delivery{At: o.at, Msg: o.msg}, out[0])
				continue
			}
			switch {
			case !linked:
				require.Equal(t, Partitioned, drop)
			case opts.Loss == 1:
				require.Equal(t, Lost, drop)
			case opts.Loss == 0:
				require.NotEqual(t, Lost, drop)
			}
			if drop != None {
				require.Empty(t, out)
				continue
			}
			require.True(t, len(out) == 1 || (len(out) == 2 && opts.Dup > 0))
			if opts.Dup == 1 {
				require.Len(t, out, 2)
			}
			depart := max(o.at, clog[key])
			for i, d := range out {
				require.Equal(t, i == 1, d.Dup)
				require.GreaterOrEqual(t, d.At, depart+opts.LatencyMin)
				require.LessOrEqual(t, d.At, depart+opts.LatencyMax+opts.TailMax)
				if opts.TailProb == 0 {
					require.LessOrEqual(t, d.At, depart+opts.LatencyMax)
				}
				if d.Corrupted {
					require.Positive(t, opts.Corrupt)
					require.Len(t, d.Msg, len(sent))
					require.True(t, bitsDiffer(sent, d.Msg) >= 1 && bitsDiffer(sent, d.Msg) <= 3)
				} else {
					require.Equal(t, sent, d.Msg)
					require.False(t, opts.Corrupt == 1 && len(sent) > 0, "Corrupt=1 always corrupts")
				}
			}
		}
	})
}

func TestSameSeedReplaysAnyScriptIdentically(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nodes := rapid.IntRange(1, 5).Draw(t, "nodes")
		seed := rapid.Uint64().Draw(t, "seed")
		defaults := optionsGen().Draw(t, "defaults")
		script := scriptGen(nodes).Draw(t, "script")
		a := apply(newNet(nodes, seed, defaults), script)
		b := apply(newNet(nodes, seed, defaults), script)
		require.Equal(t, a, b)
	})
}
