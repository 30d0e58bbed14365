package scenarios

import (
	"github.com/monsim/monsim/collector"
	"github.com/monsim/monsim/faultfs"
	"github.com/monsim/monsim/harness"
	"github.com/monsim/monsim/internal/rng"
	"github.com/monsim/monsim/sim"
)

// collectors-offline: collectors crash, lose power and are cut off while
// the monitors commit, change leaders and trim their events; some stay
// away past a trim. Every collector must keep a gap-free log, catch up
// after the heal, and each offline period must be recorded once.
func init() {
	register(clusterScenario(clusterSpec{name: "collectors-offline",
		desc:   "collectors crash, lose power and are cut off, some past a trim of the events, while monitors commit and change leaders",
		faults: leaderChanges, collectorFaults: collectorOutages, collectors: 4}))
}

// leaderChanges take a minority of monitors down now and then, most often
// rank 0 (which wins every election it is in), so that leaders change
// while collectors are away.
func leaderChanges(r *rng.Stream, n int) []sim.Fault {
	var out []sim.Fault
	d := downBudget{until: make([]int64, n)}
	for t := r.Range(2*sim.Second, 4*sim.Second); t < harness.FaultPhase; t += r.Range(2*sim.Second, 5*sim.Second) {
		dur := r.Range(500*sim.Millisecond, 3*sim.Second)
		m, ok := 0, d.until[0] <= t && r.Chance(0.6)
		if ok {
			d.until[0] = t + dur
		} else if m, ok = d.pick(r, t, dur); !ok {
			continue
		}
		f := sim.Fault{At: t, Kind: sim.FaultCrash, Node: m, For: dur}
		if r.Chance(0.4) {
			f.Kind, f.Power = sim.FaultPowerLoss, faultfs.Honest
		}
		out = append(out, f)
	}
	return out
}

// collectorOutages give each collector its own string of outages: quick
// restarts (back before the leader notices), power cuts, outages long
// enough for the monitors to trim what it misses, partitions from every
// monitor (it is marked down while alive, sometimes past a trim), lost or
// slow pushes (gaps in what it receives, answers that come after their
// retry), a failing disk (it stops, and may fail to open again); and power
// cuts at its own steps: with events stored past a gap, while it fetches,
// right after it took a full state. Now and then the whole network loses,
// duplicates or corrupts messages for a moment.
func collectorOutages(r *rng.Stream, monitors, collectors int) []sim.Fault {
	var out []sim.Fault
	everyMonitor := others(monitors, nil)
	for i := range collectors {
		c := monitors + i
		for t := r.Range(sim.Second, 4*sim.Second); t < harness.FaultPhase-sim.Second; {
			var f []sim.Fault
			switch dur := int64(0); r.Intn(9) {
			case 0: // a restart the leader may not notice
				dur = r.Range(100*sim.Millisecond, 1200*sim.Millisecond)
				f = []sim.Fault{{At: t, Kind: sim.FaultCrash, Node: c, For: dur}}
			case 1:
				dur = r.Range(500*sim.Millisecond, 4*sim.Second)
				f = []sim.Fault{{At: t, Kind: sim.FaultPowerLoss, Node: c, Power: powerMode(r), For: dur}}
			case 2, 3: // away past a trim
				dur = r.Range(5*sim.Second, 11*sim.Second)
				f = []sim.Fault{{At: t, Kind: sim.FaultPowerLoss, Node: c, Power: powerMode(r), For: dur}}
			case 4: // cut off: marked down while alive, sometimes past a trim of its own stop
				dur = r.Range(500*sim.Millisecond, 12*sim.Second)
				f = []sim.Fault{{At: t, Kind: sim.FaultPartition, Node: c, Group: []int{c}, Peers: everyMonitor, For: dur}}
			case 5: // a failing disk: it stops, and its restarts fail to open the store until the errors end
				dur = r.Range(100*sim.Millisecond, 1500*sim.Millisecond)
				f = []sim.Fault{{At: t, Kind: sim.FaultDiskEIO, Node: c, Prob: float64(r.Range(30, 100)) / 100, For: dur,
					IO: []faultfs.IOClass{faultfs.OnRead, faultfs.OnWrite, faultfs.OnSync}[r.Intn(3)]}}
			case 6: // pushes lost on the way: a gap in what it receives
				dur = r.Range(200*sim.Millisecond, 1500*sim.Millisecond)
				for _, m := range everyMonitor {
					f = append(f, sim.Fault{At: t, Kind: sim.FaultBlock, Node: m, Peer: c, For: dur})
				}
			default: // slow links: pushes overtake each other and race fetches, answers come after
				// their retry, a fetch arrives after a trim
				dur = r.Range(sim.Second, 3*sim.Second)
				lag := r.Range(20*sim.Millisecond, 1200*sim.Millisecond)
				for _, m := range everyMonitor {
					f = append(f, sim.Fault{At: t, Kind: sim.FaultSlow, Node: m, Peer: c, Lag: lag, For: dur},
						sim.Fault{At: t, Kind: sim.FaultSlow, Node: c, Peer: m, Lag: lag, For: dur})
				}
				t += dur
				out = append(out, f...)
				continue
			}
			out = append(out, f...)
			t += f[0].For + r.Range(500*sim.Millisecond, 3*sim.Second)
		}
		out = append(out, cutsAtSteps(r, c)...)
	}
	for t := r.Range(2*sim.Second, 8*sim.Second); t < harness.FaultPhase; t += r.Range(4*sim.Second, 10*sim.Second) {
		kind := []sim.FaultKind{sim.FaultNetLoss, sim.FaultNetDup, sim.FaultNetCorrupt}[r.Intn(3)]
		out = append(out, sim.Fault{At: t, Kind: kind, Prob: float64(r.Range(2, 15)) / 100, For: r.Range(300*sim.Millisecond, 2*sim.Second)})
	}
	return out
}

// swarmCollectorFaults draw, for half the seeds, a few crashes, power cuts
// and partitions of the collectors beside the swarm's own faults.
func swarmCollectorFaults(r *rng.Stream, monitors, collectors int) []sim.Fault {
	if !r.Chance(0.5) {
		return nil
	}
	var out []sim.Fault
	for t := r.Range(2*sim.Second, 5*sim.Second); t < harness.FaultPhase; t += r.Range(2*sim.Second, 6*sim.Second) {
		c, dur := monitors+r.Intn(collectors), r.Range(200*sim.Millisecond, 6*sim.Second)
		switch r.Intn(3) {
		case 0:
			out = append(out, sim.Fault{At: t, Kind: sim.FaultCrash, Node: c, For: dur})
		case 1:
			out = append(out, sim.Fault{At: t, Kind: sim.FaultPowerLoss, Node: c, Power: powerMode(r), For: dur})
		default:
			out = append(out, sim.Fault{At: t, Kind: sim.FaultPartition, Node: c, Group: []int{c}, Peers: others(monitors, nil), For: dur})
		}
	}
	return out
}

// cutsAtSteps cut a collector's power, or crash it, at its own steps.
func cutsAtSteps(r *rng.Stream, c int) []sim.Fault {
	var out []sim.Fault
	for _, s := range []struct {
		point  collector.Point
		chance float64
		nth    int64
	}{{collector.PointStoredAhead, 0.7, 3}, {collector.PointFetching, 0.4, 6}, {collector.PointFullState, 0.3, 1}} {
		if !r.Chance(s.chance) {
			continue
		}
		f := sim.Fault{On: &sim.Trigger{Point: sim.Point(s.point), Node: c, Nth: int(r.Range(1, s.nth))},
			Kind: sim.FaultCrash, Node: c, For: r.Range(200*sim.Millisecond, sim.Second)}
		if r.Chance(0.6) {
			f.Kind, f.Power = sim.FaultPowerLoss, powerMode(r)
		}
		out = append(out, f)
	}
	return out
}

func powerMode(r *rng.Stream) faultfs.PowerMode {
	return []faultfs.PowerMode{faultfs.Honest, faultfs.Torn}[r.Intn(2)]
}
