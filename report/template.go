package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/monsim/monsim/checker"
)

// Chart geometry, in SVG user units (pixels at 100 % zoom).
const (
	labelW  = 110 // lane labels on the left
	plotW   = 1240
	chartW  = labelW + plotW + 10
	axisH   = 30 // tick labels above the lanes
	laneH   = 36 // one monitor: repair stripe, phase bar, applied-versions strip (a collector: phase bar, events stored)
	clientH = 14 // one client's operations
	gapH    = 26 // between monitors and clients
)

// chart draws a timeline over the window [From, To) of simulated time. The
// whole run is one chart; the seconds around the first violation another.
// What reaches outside the window is clipped.
type chart struct {
	timeline
	ID         string // prefix of the chart's element ids
	From, To   int64
	Clients    []clientLane
	Violations []violation // the first one last, so it is drawn on top
	Ticks      []tick
	ClientTop  int
	Height     int
}

type clientLane struct {
	Client int
	Ops    []opBar
}

// opBar is one client operation, from its call to its return (the end of
// the run when the outcome never came).
type opBar struct {
	Start, End   int64
	Class, Title string
}

type tick struct {
	At    int64
	Label string
}

// newChart draws the whole run.
func newChart(tl timeline, history []checker.KVOp, vs []violation) chart {
	c := chart{timeline: tl, From: 0, To: tl.End, Violations: slices.Clone(vs)}
	slices.Reverse(c.Violations)
	byClient := map[int][]opBar{}
	for _, op := range history {
		byClient[op.Client] = append(byClient[op.Client], opBar{op.Call, returnOrEnd(op, tl.End), opClass(op), opTitle(op)})
	}
	clients := make([]int, 0, len(byClient))
	for id := range byClient {
		clients = append(clients, id)
	}
	slices.Sort(clients)
	for _, id := range clients {
		c.Clients = append(c.Clients, clientLane{id, byClient[id]})
	}
	c.ClientTop = axisH + len(tl.Lanes)*laneH + gapH
	c.Height = c.ClientTop + len(c.Clients)*clientH + 8
	c.Ticks = ticks(c.From, c.To)
	return c
}

// zoom is the same chart over [from, to), keeping only the operations that
// overlap it (they are the bulk of the page).
func (c chart) zoom(id string, from, to int64) chart {
	c.ID, c.From, c.To = id, from, to
	c.Clients = slices.Clone(c.Clients)
	for i, cl := range c.Clients {
		c.Clients[i].Ops = slices.DeleteFunc(slices.Clone(cl.Ops), func(o opBar) bool { return o.End < from || o.Start > to })
	}
	c.Ticks = ticks(from, to)
	return c
}

// ticks puts about a dozen round-numbered second marks on [from, to].
func ticks(from, to int64) []tick {
	raw := float64(to-from) / 12
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := int64(10 * mag)
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = int64(m * mag)
			break
		}
	}
	step = max(step, 1)
	var out []tick
	for t := (from + step - 1) / step * step; t <= to; t += step {
		out = append(out, tick{t, strconv.FormatFloat(float64(t)/1e9, 'f', -1, 64) + "s"})
	}
	return out
}

// X is where instant t lies, rounded so the page stays small.
func (c *chart) X(t int64) float64 {
	return round2(labelW + plotW*float64(t-c.From)/float64(c.To-c.From))
}

// W is the width from a to b, never too thin to see.
func (c *chart) W(a, b int64) float64 { return max(0.5, round2(c.X(b)-c.X(a))) }

func (c *chart) LaneY(i int) int   { return axisH + i*laneH }
func (c *chart) ClientY(i int) int { return c.ClientTop + i*clientH }
func (c *chart) Bottom() int       { return c.Height - 4 }

// BinX and BinW place applied-versions bin i, a slice of the whole run.
func (c *chart) BinX(i int) float64 { return c.X(int64(i) * c.End / applyBins) }
func (c *chart) BinW(i int) float64 { return c.W(int64(i)*c.End/applyBins, int64(i+1)*c.End/applyBins) }

// Density is an applied-versions bin's opacity.
func (c *chart) Density(n int) float64 {
	return round2(0.15 + 0.85*float64(n)/float64(max(1, c.MaxApplied)))
}

// Top and Foot bound a marker for node: its lane, or every monitor lane.
func (c *chart) Top(node int) int {
	if node >= 0 && node < len(c.Lanes) {
		return c.LaneY(node)
	}
	return axisH
}

func (c *chart) Foot(node int) int {
	if node >= 0 && node < len(c.Lanes) {
		return c.LaneY(node) + laneH - 4
	}
	return axisH + len(c.Lanes)*laneH - 4
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// legend lists the phases in the order a monitor usually meets them.
var legend = []struct {
	Class lanePhase
	Label string
}{
	{phaseDown, "down"}, {phaseBooting, "booting"}, {phaseProbing, "probing"},
	{phaseElecting, "electing"}, {phaseLeader, "leader"}, {phasePeon, "peon"},
	{phaseSyncFull, "full sync"}, {phaseSyncRecent, "recent sync"}, {phaseSyncing, "syncing"},
	{phaseRepairing, "repairing"}, {phasePageRepair, "page repair"}, {phaseBroken, "broken"},
	{phaseHunting, "collector: no monitor"}, {phaseCatchingUp, "catching up"}, {phaseJoining, "not recorded up"},
	{phaseOnline, "online"},
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"seconds":    seconds,
	"legend":     func() any { return legend },
	"hex":        func(v uint64) string { return fmt.Sprintf("%016x", v) },
	"plus":       func(a, b int) int { return a + b },
	"chartWidth": func() int { return chartW },
	"axisTop":    func() int { return axisH },
	"plotLeft":   func() int { return labelW },
	"plotWidth":  func() int { return plotW },
	"isDisk":     func(kind string) bool { return strings.HasPrefix(kind, "disk/") },
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>monsim {{.Res.Scenario}} seed {{.Res.Seed}}: {{.Class}}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:18px;margin:0 0 6px}h2{font-size:15px;margin:18px 0 6px}h3{font-size:13px;margin:10px 0 4px;font-weight:600}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}
.facts td:first-child{color:#666}.mono,.facts .mono{font-family:ui-monospace,monospace}
.verdict{font-weight:600;padding:4px 8px;border-radius:3px;display:inline-block;font-family:ui-monospace,monospace}
.verdict.pass{background:#e6f4ea;color:#1b5e20}.verdict.fail{background:#fdecea;color:#b71c1c}.verdict.unknown{background:#fff8e1;color:#8d6e00}
.violist{max-height:300px;overflow:auto}.counters{color:#555;font-size:12px;margin:4px 0}
.violation{border-left:4px solid #bbb;padding:3px 8px;margin:3px 0;font-family:ui-monospace,monospace}
.violation.first{border-color:#c2185b;background:#fce4ec;font-weight:600}
.violation .checker{color:#c2185b}
.timeline{border:1px solid #ddd;background:#fafafa}
.lane-label,.axis text,.client-label{font:11px ui-monospace,monospace;fill:#333}
.grid{stroke:#e0e0e0}.seg{stroke:none}.repair{fill:#e66101}.repair.interrupted{fill:#fdb863}.repair.pages{fill:#c51b7d}.repair.pages.interrupted{fill:#f1b6da}
.applied{fill:#1b7837}
.ph-down{fill:#424242;background:#424242}.ph-booting{fill:#bdbdbd;background:#bdbdbd}
.ph-probing{fill:#9ecae1;background:#9ecae1}.ph-electing{fill:#fdd835;background:#fdd835}
.ph-leader{fill:#1b7837;background:#1b7837}.ph-peon{fill:#7fbf7b;background:#7fbf7b}
.ph-sync-full{fill:#542788;background:#542788}.ph-sync-recent{fill:#b2abd2;background:#b2abd2}
.ph-syncing{fill:#8073ac;background:#8073ac}.ph-repairing{fill:#e66101;background:#e66101}
.ph-broken{fill:#8c510a;background:#8c510a}.ph-page-repair{fill:#c51b7d;background:#c51b7d}
.ph-hunting{fill:#f4a582;background:#f4a582}.ph-catching-up{fill:#4393c3;background:#4393c3}
.ph-joining{fill:#d1e5f0;background:#d1e5f0}.ph-online{fill:#2166ac;background:#2166ac}
.fault line{stroke:#d32f2f;stroke-width:1}.fault path{fill:#d32f2f}
.cluster-fault line{stroke:#d32f2f;stroke-dasharray:3 2}.cluster-fault path{fill:#fff;stroke:#d32f2f}
.disk-fault circle{fill:#ff9800;stroke:#333;stroke-width:.5}
.event line{stroke:#000;stroke-width:1.2}
.violation-marker line{stroke:#c2185b;stroke-width:2}.violation-marker circle{fill:#c2185b}
.violation-marker.first line{stroke-width:3.5}.violation-marker.first circle{fill:#fff;stroke:#c2185b;stroke-width:3}
.op-write{fill:#607d8b}.op-read{fill:#90a4ae}.op-mismatch{fill:#ffb300}.op-unknown{fill:#e53935;opacity:.55}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0;font-size:12px}
.sw{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:-1px;border:1px solid #999}
.ops td{font-family:ui-monospace,monospace;font-size:12px;border-bottom:1px solid #eee}
.ops tr.unknown td{background:#ffebee}.ops tr.at-violation td:first-child{border-left:3px solid #c2185b}
.note{color:#555}
iframe{width:100%;height:720px;border:1px solid #ddd}
</style></head>
<body>
<header id="header">
<h1>monsim: {{.Res.Scenario}}, seed {{.Res.Seed}}</h1>
<p id="verdict" class="verdict {{.Class}}">{{.Verdict}}</p>
<table class="facts">
<tr><td>scenario</td><td class="mono">{{.Res.Scenario}}</td><td>seed</td><td class="mono">{{.Res.Seed}}</td>
<td>bug</td><td class="mono">{{.Bug}}</td><td>monitors</td><td class="mono">{{.Res.Monitors}}</td><td>collectors</td><td class="mono">{{.Res.Collectors}}</td></tr>
<tr><td>trace hash</td><td class="mono">{{hex .Res.TraceHash}}</td><td>simulated</td><td class="mono">{{seconds .Res.SimTime}}</td>
<td>events</td><td class="mono">{{.Res.Events}}</td><td>operations</td><td class="mono">{{len .Res.History}}</td></tr>
{{- if .Res.Note}}<tr><td>note</td><td colspan="7">{{.Res.Note}}</td></tr>{{end}}
</table>
{{- if .Counters}}
<p class="counters mono">{{range .Counters}}{{.Name}}={{.Value}} {{end}}</p>{{end}}
</header>

<section id="timeline-section">
<h2>Timeline</h2>
<div class="legend" id="legend">
{{- range legend}}<span><span class="sw ph-{{.Class}}"></span>{{.Label}}</span>{{end}}
<span><svg width="12" height="12"><path d="M1 1h10l-5 8z" fill="#d32f2f"/></svg> fault</span>
<span><svg width="12" height="12"><path d="M1 1h10l-5 8z" fill="#fff" stroke="#d32f2f"/></svg> cluster fault</span>
<span><svg width="12" height="12"><circle cx="6" cy="6" r="4" fill="#ff9800" stroke="#333"/></svg> disk fault</span>
<span><svg width="12" height="12"><path d="M6 0v12" stroke="#000" stroke-width="1.5"/></svg> monitor or collector event</span>
<span><svg width="12" height="12"><circle cx="6" cy="6" r="5" fill="#c2185b"/></svg> violation</span>
<span><span class="sw repair"></span>repair (stripe)</span><span><span class="sw repair pages"></span>page repair (stripe)</span><span><span class="sw applied" style="opacity:.6;background:#1b7837"></span>versions applied, or collector events stored (strip)</span>
</div>
{{template "chart" .Chart}}
{{- with .Detail}}
<h3>{{seconds .From}} to {{seconds .To}}, around the first violation</h3>
{{template "chart" .}}
{{- end}}
</section>

<section id="violations">
<h2>Violations ({{len .Violations}})</h2>
<div class="violist">
{{- range $i, $v := .Violations}}
<div class="violation{{if $v.First}} first{{end}}" id="violation-{{$i}}"><span class="checker">{{$v.Checker}}</span>: {{$v.Reason}} <span class="note">({{$v.Where}} at t={{$v.When}})</span></div>
{{- else}}
<p class="note">No check was violated.</p>
{{- end}}
</div>
{{- with .Res.Lin}}{{if .Note}}<p class="note">linearizability: {{.Verdict}}: {{.Note}}</p>{{end}}{{end}}
</section>

<section id="operations">
<h2>Client operations</h2>
{{- if .Ops}}
<p class="note">{{.OpsNote}}; unknown outcomes are shaded red, operations in flight at the first violation have a mark on the left.</p>
<table class="ops">
<tr><th>#</th><th>client</th><th>call</th><th>return</th><th>op</th><th>key</th><th>value</th><th>outcome</th></tr>
{{- range .Ops}}
<tr class="op{{if .Unknown}} unknown{{end}}{{if .AtViolation}} at-violation{{end}}"><td>{{.Index}}</td><td>{{.Client}}</td><td>{{.Call}}</td><td>{{.Ret}}</td><td>{{.Op}}</td><td>{{printf "%q" .Key}}</td><td>{{.Args}}</td><td>{{.Outcome}}</td></tr>
{{- end}}
</table>
{{- else}}
<p class="note">No client operations.</p>
{{- end}}
</section>
{{- if .LinHTML}}

<section id="linearizability">
<h2>Linearizability (porcupine)</h2>
<iframe id="porcupine" sandbox="allow-scripts" title="porcupine visualization" srcdoc="{{.LinHTML}}"></iframe>
</section>
{{- end}}
</body></html>

{{define "chart"}}<svg id="{{.ID}}timeline" class="timeline" xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {{chartWidth}} {{.Height}}" data-from="{{.From}}" data-to="{{.To}}">
<clipPath id="{{.ID}}plot"><rect x="{{plotLeft}}" y="0" width="{{plotWidth}}" height="{{.Height}}"/></clipPath>
<g class="axis">
{{- range .Ticks}}<line class="grid" x1="{{$.X .At}}" x2="{{$.X .At}}" y1="{{axisTop}}" y2="{{$.Bottom}}"/><text x="{{$.X .At}}" y="16" text-anchor="middle">{{.Label}}</text>{{end}}
</g>
{{- range $i, $l := .Lanes}}
<g class="lane" id="{{$.ID}}lane-{{$l.Node}}" data-{{if $l.Collector}}collector{{else}}monitor{{end}}="{{$l.Node}}">
<text class="lane-label" x="6" y="{{plus ($.LaneY $i) 20}}">{{$l.Label}}</text>
<g clip-path="url(#{{$.ID}}plot)">
{{- range $l.Repairs}}<rect class="repair{{if .Pages}} pages{{end}}{{if .Interrupted}} interrupted{{end}}" x="{{$.X .Start}}" y="{{$.LaneY $i}}" width="{{$.W .Start .End}}" height="4"><title>{{if .Pages}}page {{end}}repair {{seconds .Start}}–{{seconds .End}}{{if .Interrupted}} (interrupted){{end}}</title></rect>{{end}}
{{- range $l.Segments}}
<rect class="seg ph-{{.Phase}}" x="{{$.X .Start}}" y="{{plus ($.LaneY $i) 6}}" width="{{$.W .Start .End}}" height="20"><title>{{$l.Label}} {{.Phase}} {{seconds .Start}}–{{seconds .End}}{{if .Reason}} ({{.Reason}}){{end}}</title></rect>
{{- end}}
{{- range $b, $n := $l.Applied}}{{if $n}}<rect class="applied" x="{{$.BinX $b}}" y="{{plus ($.LaneY $i) 28}}" width="{{$.BinW $b}}" height="4" opacity="{{$.Density $n}}"><title>{{$n}} {{if $l.Collector}}events stored{{else}}versions applied{{end}}</title></rect>{{end}}{{end}}
{{- range $l.Events}}<g class="event"><title>{{.Title}}</title><line x1="{{$.X .At}}" x2="{{$.X .At}}" y1="{{plus ($.LaneY $i) 10}}" y2="{{plus ($.LaneY $i) 22}}"/></g>{{end}}
</g></g>
{{- end}}
<g id="{{.ID}}faults" class="faults" clip-path="url(#{{.ID}}plot)">
{{- range .Faults}}
{{- if lt .Node 0}}<g class="cluster-fault"><title>{{.Title}}</title><line x1="{{$.X .At}}" x2="{{$.X .At}}" y1="{{$.Top .Node}}" y2="{{$.Foot .Node}}"/><path d="M{{$.X .At}} {{axisTop}}l-5 -8h10z"/></g>
{{- else if isDisk .Kind}}<g class="disk-fault"><title>{{.Title}}</title><circle cx="{{$.X .At}}" cy="{{plus ($.LaneY .Node) 26}}" r="4"/></g>
{{- else}}<g class="fault"><title>{{.Title}}</title><line x1="{{$.X .At}}" x2="{{$.X .At}}" y1="{{$.LaneY .Node}}" y2="{{plus ($.LaneY .Node) 26}}"/><path d="M{{$.X .At}} {{plus ($.LaneY .Node) 6}}l-5 -8h10z"/></g>
{{- end}}
{{- end}}
</g>
<g id="{{.ID}}violation-markers" clip-path="url(#{{.ID}}plot)">
{{- range $v := .Violations}}<g class="violation-marker{{if $v.First}} first{{end}}"{{if $v.First}} id="{{$.ID}}first-violation-marker"{{end}}><title>{{$v.Checker}}: {{$v.Reason}} ({{$v.Where}} at t={{$v.When}})</title><line x1="{{$.X $v.At}}" x2="{{$.X $v.At}}" y1="{{$.Top $v.Node}}" y2="{{$.Foot $v.Node}}"/><circle cx="{{$.X $v.At}}" cy="{{$.Top $v.Node}}" r="5"/></g>{{end}}
</g>
{{- range $i, $c := .Clients}}
<g class="client-lane" id="{{$.ID}}client-{{$c.Client}}">
<text class="client-label" x="6" y="{{plus ($.ClientY $i) 10}}">client {{$c.Client}}</text>
<g clip-path="url(#{{$.ID}}plot)">
{{- range $c.Ops}}<rect class="{{.Class}}" x="{{$.X .Start}}" y="{{plus ($.ClientY $i) 1}}" width="{{$.W .Start .End}}" height="10"><title>{{.Title}}</title></rect>{{end}}
</g></g>
{{- end}}
</svg>
{{end}}`
