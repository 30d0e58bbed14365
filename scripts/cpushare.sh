#!/bin/sh
# cpushare.sh PROFILE [BINARY]: splits a CPU profile of whole seeds between
# the monitor (node/ and node/kvstore/) and the harness (everything else).
#
# Each sample goes to the first monsim or porcupine frame found walking up
# from the leaf, so runtime work (allocation, GC assists, memmove) is charged
# to the code that caused it: the monitor's allocations are the monitor's,
# faultfs's copies are faultfs's. Samples with no such frame (background GC,
# the scheduler) are the harness's: they are "runtime".
#
#   go test -run '^$' -bench 'Scenario/(swarm|steady)$' -benchtime 20x -cpu 1 \
#     -cpuprofile cpu.out -o scenarios.test ./scenarios/
#   sh scripts/cpushare.sh cpu.out scenarios.test
#
# DETAIL=N also lists, per part, the N frames that took most of it.
set -eu
prof=$1
bin=${2:-}
detail=${DETAIL:-0}
${GO:-go} tool pprof -traces $bin "$prof" 2>/dev/null | awk -v detail="$detail" '
function unit(s,   v) {
	v = s + 0
	if (s ~ /ms$/) return v / 1000
	if (s ~ /us$/) return v / 1e6
	if (s ~ /ns$/) return v / 1e9
	return v
}
function classify(f) {
	if (f ~ /monsim\/node[.\/]/) return "node"
	if (f ~ /porcupine/) return "porcupine"
	if (f ~ /monsim\/checker/) return "checker"
	if (f ~ /monsim\/faultfs/) return "faultfs"
	if (f ~ /monsim\/netsim/) return "netsim"
	if (f ~ /monsim\/sim\.\(\*Trace\)|monsim\/sim\.mix/) return "sim trace"
	if (f ~ /monsim\/sim/) return "sim kernel"
	if (f ~ /monsim\/harness\.\(\*client\)/) return "harness clients"
	if (f ~ /monsim\/harness/) return "harness host+observer"
	if (f ~ /monsim\/internal\/rng/) return "rng"
	if (f ~ /monsim\//) return "other monsim"
	return ""
}
function flush(   c) {
	if (val > 0) {
		c = (cls == "") ? "runtime (GC, scheduler)" : cls
		tot[c] += val
		all += val
		if (fn != "") byfn[c "\t" fn] += val
	}
	val = 0; cls = ""; fn = ""; first = 1
}
/^-+\+-+/ { flush(); inblock = 1; next }
!inblock { next }
{
	line = $0
	if (first) {
		split(line, a, " ")
		val = unit(a[1])
		sub(/^ *[^ ]+ +/, "", line)
		first = 0
	}
	sub(/^ +/, "", line)
	if (cls == "") {
		cls = classify(line)
		if (cls != "") fn = line
	}
}
END {
	flush()
	for (c in tot) printf "S\t%012.6f\t%5.1f%% %7.2fs  %s\n", tot[c], 100 * tot[c] / all, tot[c], c
	printf "T\t%-26s %7.2fs\nT\tharness share: %.1f%% (everything but node)\n", "total", all, 100 * (all - tot["node"]) / all
	if (detail > 0)
		for (k in byfn) printf "D\t%s\t%012.6f\t%.2fs\n", k, byfn[k], byfn[k]
}' | sort -t "$(printf '\t')" -k1,1 -k2,2 -k4,4r -k3,3r | awk -F '\t' -v n="$detail" '
$1 == "S" { s[++ns] = $3 }
$1 == "T" { t[++nt] = $2 }
$1 == "D" && $2 != last { last = $2; i = 0; d[++nd] = "\n" $2 ":" }
$1 == "D" && ++i <= n { d[++nd] = sprintf("  %6s  %s", $5, $3) }
END {
	for (i = ns; i >= 1; i--) print s[i]
	for (i = 1; i <= nt; i++) print t[i]
	for (i = 1; i <= nd; i++) print d[i]
}'
