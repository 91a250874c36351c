// yield.go — Go peer of bench_yield: runtime.Gosched() between 2 goroutines on
// GOMAXPROCS=1, so every Gosched is a switch to the other goroutine.
// Like bench_yield: the best of 5 rounds.  Prints "RESULT yield_ns <ns per
// Gosched>".  Usage: yield [Gosched calls per goroutine per round] (default
// 2,000,000: at ~50 ns a round takes 0.2 s; the figure is per call).
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
	var wg sync.WaitGroup
	wg.Add(2)
	start := time.Now()
	for g := 0; g < 2; g++ {
		go func() {
			for i := 0; i < n; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return float64(time.Since(start).Nanoseconds()) / float64(2*n)
}

func main() {
	n := 2000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
	best := 1e30
	for r := 0; r < 5; r++ {
		if ns := round(n); ns < best {
			best = ns
		}
	}
	fmt.Printf("RESULT yield_ns %.2f\n", best)
}
