// spawn.go — Go peer of bench_spawn: start N goroutines that each park on a
// channel receive, and time from the first `go` until all N have run and
// parked.  Prints "RESULT spawn_ns <ns per goroutine>".  GOMAXPROCS comes from
// the environment (compare.sh sets it to our worker count).  Usage: spawn [N]
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
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
	fmt.Printf("RESULT spawn_ns %.2f\n", float64(elapsed.Nanoseconds())/float64(n))
}
