# monsim: see README.md. Every target works on a fresh clone with Go 1.26.
GO       ?= go
PKGS     := ./...
# The race run: the simulated world, and the code that runs goroutines:
# internal/campaign's worker pool, porcupine's (each check searches its
# keys in parallel), reached through checker's tests, and
# internal/history's parallel search for the failing key, reached by the
# tests below. Porcupine's kv data stays out: it spends 10 s waiting on
# keys no search decides.
RACEPKGS := ./sim/... ./netsim/... ./faultfs/... ./node/... ./collector/... ./checker/ ./internal/campaign/...
RACEHISTORY := -run 'Explain|PorcupineEtcd' ./internal/history/
FUZZTIME ?= 10m
# mutate: judge a sample of MUTATE_N mutants (0: all of them, ~1,900: hours)
MUTATE_N    ?= 100
MUTATE_TIME ?= 60s
MUTATE_SURVIVOR_TIME ?= 3m

.PHONY: run test lint bench bench-repair bench-resume fuzz cover mutate

## run: the main job: every scenario over fresh seeds for about 30 s
run:
	$(GO) run ./cmd/simrun

## test: everything CI runs (lint, race tests of the parallel code and the simulated world, all tests)
test: lint
	$(GO) test -race -count=1 $(RACEPKGS)
	$(GO) test -race -count=1 $(RACEHISTORY)
	$(GO) test -count=1 $(PKGS)

## lint: formatting, vet and the determinism lint
lint:
	@fmt_out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	  if [ -n "$$fmt_out" ]; then echo "gofmt needed:"; echo "$$fmt_out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run ./cmd/detlint ./...

## bench: the figures in BENCHMARKS.md (one package at a time, one core each)
bench:
	$(GO) test -p 1 -cpu 1 -run='^$$' -bench='^Benchmark[^R]' -count=6 ./sim/ ./netsim/ ./faultfs/ ./node/kvstore/ ./checker/ ./scenarios/ | tee bench.txt

## bench-repair: page repair against whole-store repair, by store size (BENCHMARKS.md)
bench-repair:
	$(GO) test -cpu 1 -run='^$$' -bench='^BenchmarkRepairCost$$' -benchtime=1x ./scenarios/ | tee bench-repair.txt

## bench-resume: an interrupted full sync resumed against started over, by store size (BENCHMARKS.md)
bench-resume:
	$(GO) test -cpu 1 -run='^$$' -bench='^BenchmarkResumeVsRestart$$' -benchtime=1x -timeout=60m ./harness/ | tee bench-resume.txt

## fuzz: a longer hunt than make test: every scenario for FUZZTIME on all cores
fuzz:
	$(GO) run ./cmd/simrun fuzz -scenario all -duration $(FUZZTIME)

## cover: statement coverage of node/ and node/kvstore/ under a fixed campaign (cover/node.html)
cover:
	GO=$(GO) sh scripts/cover.sh

## mutate: mutation testing of node/: each sampled mutant's own fuzz campaign must catch it (mutate-report.md)
mutate:
	$(GO) run ./cmd/simrun mutate -n $(MUTATE_N) -seed 1 -time $(MUTATE_TIME) -survivor-time $(MUTATE_SURVIVOR_TIME) -equivalent mutate-equivalent.txt -o mutate-report.md
