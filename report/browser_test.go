package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The browser tests render a real report in Debian's headless Chromium and
// check what it built, not what was written: a page the browser cannot
// make sense of loses its lanes here.

const chromiumBin = "/usr/bin/chromium"

// chromiumFlags keep Chromium off the network (this machine refuses it) and
// out of the user's profile.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
	"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"}

// chromium returns the browser, installing it when it is missing and this
// test may and can (root, network); otherwise the test is skipped.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromiumBin); err == nil {
		return chromiumBin
	}
	if os.Geteuid() != 0 {
		t.Skipf("%s is missing and installing it needs root: apt-get install -y chromium", chromiumBin)
	}
	if conn, err := net.DialTimeout("tcp", "deb.debian.org:80", 5*time.Second); err != nil {
		t.Skipf("%s is missing and Debian's mirror is unreachable (%v): apt-get install -y chromium", chromiumBin, err)
	} else {
		conn.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "apt-get", "install", "-y", "chromium").CombinedOutput()
	if _, statErr := os.Stat(chromiumBin); err != nil || statErr != nil {
		t.Skipf("could not install chromium (%v): %s", err, tail(out))
	}
	return chromiumBin
}

// runChromium runs one headless Chromium command on a page, with its own
// empty profile, and returns what it printed.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args = append(append(chromiumFlags, "--user-data-dir="+t.TempDir()), args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %v: %s", args, tail(stderr.Bytes()))
	return out
}

func tail(b []byte) string {
	const n = 2000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// writePage writes html to a temp file and returns its file:// URL.
func writePage(t *testing.T, html []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, os.WriteFile(path, html, 0o644))
	return "file://" + path
}

var (
	laneTag    = regexp.MustCompile(`<g class="lane" id="lane-(\d+)" data-(?:monitor|collector)="(\d+)">`)
	segmentTag = regexp.MustCompile(`<rect class="seg ph-[a-z-]+"`)
	firstViol  = regexp.MustCompile(`<div class="violation first" id="violation-0"><span class="checker">([^<]*)</span>`)
)

// checkReportDOM checks a rendered report: the timeline with one lane per
// monitor and per collector (nodes 0..lanes-1), each drawing phases, the
// legend, the client strip, and the first violation (by checker name)
// listed and marked on the timeline.
func checkReportDOM(dom string, monitors int, checker string) error {
	var errs []error
	for _, want := range []string{`<svg id="timeline"`, `<div class="legend" id="legend">`,
		`<g class="client-lane"`, `id="first-violation-marker"`, `<table class="ops">`} {
		if !strings.Contains(dom, want) {
			errs = append(errs, fmt.Errorf("no %s", want))
		}
	}
	lanes := laneTag.FindAllStringSubmatchIndex(dom, -1)
	if len(lanes) != monitors {
		errs = append(errs, fmt.Errorf("%d lanes, want %d", len(lanes), monitors))
	}
	for i, l := range lanes {
		id, mon := dom[l[2]:l[3]], dom[l[4]:l[5]]
		if id != fmt.Sprint(i) || mon != id {
			errs = append(errs, fmt.Errorf("lane %d is lane-%s of node %s", i, id, mon))
		}
		end := len(dom)
		if i+1 < len(lanes) {
			end = lanes[i+1][0]
		} else if f := strings.Index(dom[l[1]:], `<g id="faults"`); f >= 0 {
			end = l[1] + f
		}
		if !segmentTag.MatchString(dom[l[1]:end]) {
			errs = append(errs, fmt.Errorf("lane %d draws no phase", i))
		}
	}
	if m := firstViol.FindStringSubmatch(dom); m == nil || m[1] != checker {
		errs = append(errs, fmt.Errorf("the first violation listed is not a %s violation", checker))
	}
	return errors.Join(errs...)
}

func TestBrowserShowsALanePerMonitorAndTheLedgerViolation(t *testing.T) {
	bin := chromium(t)
	res, trace := repairStale(t)
	var page bytes.Buffer
	require.NoError(t, Write(&page, Input{Result: res, Trace: trace}))
	url := writePage(t, page.Bytes())

	dom := string(runChromium(t, bin, "--dump-dom", url))
	require.NoError(t, checkReportDOM(dom, res.Monitors+res.Collectors, "ledger"))
	require.Contains(t, dom, `data-collector="4"`, "a lane per collector")
	require.Regexp(t, `version \d+ has two values`, dom, "the ledger violation's reason")
	require.Contains(t, dom, `<svg id="detail-timeline"`, "the seconds around the violation, drawn again")

	shot := filepath.Join(t.TempDir(), "report.png")
	if os.Getenv("MONSIM_UPDATE_SCREENSHOT") == "1" {
		require.NoError(t, os.MkdirAll(filepath.Join("..", "docs"), 0o755))
		shot = filepath.Join("..", "docs", "report.png")
	}
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1400,1000", url)
	png, err := os.ReadFile(shot)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
	require.Greater(t, len(png), 20_000, "more than a blank page")
}

func TestBrowserCheckFailsOnAPageWithoutLanes(t *testing.T) {
	bin := chromium(t)
	res, trace := repairStale(t)
	var page bytes.Buffer
	require.NoError(t, Write(&page, Input{Result: res, Trace: trace}))
	html := page.String()
	from, to := strings.Index(html, `<g class="lane"`), strings.Index(html, `<g id="faults"`)
	require.True(t, from > 0 && to > from)
	broken := html[:from] + html[to:]

	dom := string(runChromium(t, bin, "--dump-dom", writePage(t, []byte(broken))))
	err := checkReportDOM(dom, res.Monitors+res.Collectors, "ledger")
	require.ErrorContains(t, err, "0 lanes, want 5")
}

func TestReportDOMCheckNamesWhatIsMissing(t *testing.T) {
	res, trace := repairStale(t)
	var page bytes.Buffer
	require.NoError(t, Write(&page, Input{Result: res, Trace: trace}))
	good := page.String()
	require.NoError(t, checkReportDOM(good, 5, "ledger"), "the page as written passes")

	for _, c := range []struct{ cut, want string }{
		{`<g class="lane" id="lane-2" data-monitor="2">`, "4 lanes, want 5"},
		{`<rect class="seg ph-`, "lane 0 draws no phase"},
		{`<svg id="timeline"`, `no <svg id="timeline"`},
		{`id="first-violation-marker"`, "no id=\"first-violation-marker\""},
		{`<span class="checker">ledger</span>`, "not a ledger violation"},
	} {
		broken := strings.ReplaceAll(good, c.cut, "")
		require.ErrorContains(t, checkReportDOM(broken, 5, "ledger"), c.want, "cut %s", c.cut)
	}
	require.ErrorContains(t, checkReportDOM(good, 7, "ledger"), "5 lanes, want 7")
	require.ErrorContains(t, checkReportDOM(good, 5, "linearizability"), "not a linearizability violation")
}
