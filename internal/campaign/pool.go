package campaign

import (
	"context"
	"sync"
)

// Pool runs simulations on Workers goroutines (at least one).
type Pool struct{ Workers int }

func (p Pool) workers() int { return max(p.Workers, 1) }

// Map runs f(0) .. f(n-1) on the pool and returns their results in index
// order. Items not started when ctx ends are left zero, with done false.
func Map[T any](ctx context.Context, p Pool, n int, f func(i int) T) (out []T, done []bool) {
	out, done = make([]T, n), make([]bool, n)
	idx := make(chan int)
	var wg sync.WaitGroup
	for range min(p.workers(), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				out[i], done[i] = f(i), true
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case idx <- i:
		case <-ctx.Done():
		}
	}
	close(idx)
	wg.Wait()
	return out, done
}

// Stream runs job(0), job(1), ... on the pool until job reports there are
// no more or ctx ends, and hands each result to done, in completion order,
// on the caller's goroutine.
func Stream[T any](ctx context.Context, p Pool, job func(i int) (func() T, bool), done func(T)) {
	jobs := make(chan func() T)
	results := make(chan T)
	var wg sync.WaitGroup
	for range p.workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- j()
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := 0; ; i++ {
			j, ok := job(i)
			if !ok {
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		done(r)
	}
}
