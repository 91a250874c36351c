// spawn.go — Go peer of bench_spawn: start N goroutines that each park on a
// channel receive, and time from the first `go` until all N have run and
// parked; then release them and wait until all have ended.  Like bench_spawn:
// 4 rounds, round 1 cold (fresh stacks and g's), later rounds reuse what the
// previous round freed; prints "RESULT spawn_ns <ns per goroutine>" (the best
// warm round) and "INFO spawn_cold_ns <ns>" (round 1).  GOMAXPROCS comes from
// the environment (compare.sh sets it to our worker count).  Usage: spawn [N]
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func round(n int) float64 {
	var started, finished sync.WaitGroup
	release := make(chan struct{})
	started.Add(n)
	finished.Add(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-release
			finished.Done()
		}()
	}
	// Every goroutine has run up to its receive once started reaches zero; the
	// last one parks right after its Done, a negligible tail for large N.
	started.Wait()
	elapsed := time.Since(start)
	close(release)
	finished.Wait()
	return float64(elapsed.Nanoseconds()) / float64(n)
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	const rounds = 4
	cold := round(n)
	best := 1e30
	for r := 1; r < rounds; r++ {
		if ns := round(n); ns < best {
			best = ns
		}
	}
	fmt.Printf("INFO spawn_cold_ns %.2f (first round; GOMAXPROCS %d)\n", cold, runtime.GOMAXPROCS(0))
	fmt.Printf("RESULT spawn_ns %.2f\n", best)
}
