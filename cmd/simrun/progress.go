package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress keeps one live status line: seeds done, seeds per second,
// violations so far and time left. On a terminal it redraws the line in
// place; anywhere else it prints a plain line every few seconds, with no
// control codes.
type progress struct {
	w      io.Writer
	tty    bool
	total  time.Duration
	begin  time.Time
	mu     sync.Mutex
	seeds  int
	fails  int
	drawn  bool // a status line is on screen (tty only)
	done   chan struct{}
	exited chan struct{}
}

func newProgress(w io.Writer, total time.Duration) *progress {
	return &progress{w: w, tty: isTerminal(w), total: total, done: make(chan struct{}), exited: make(chan struct{})}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) start() {
	p.begin = time.Now()
	every := 5 * time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	go func() {
		defer close(p.exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.mu.Lock()
				p.status()
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) stop() {
	close(p.done)
	<-p.exited
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status()
	if p.tty {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func (p *progress) seed(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seeds++
	if failed {
		p.fails++
	}
}

// printf prints a line above the status line.
func (p *progress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *progress) status() {
	elapsed := time.Since(p.begin)
	rate := float64(p.seeds) / max(elapsed.Seconds(), 1e-9)
	left := max(p.total-elapsed, 0).Round(time.Second)
	line := fmt.Sprintf("%d seeds  %.1f seeds/s  %d violations  %s left", p.seeds, rate, p.fails, left)
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}
