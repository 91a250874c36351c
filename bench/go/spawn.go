// spawn.go — Go peer of bench/spawn.c: start N goroutines that each check in
// on a WaitGroup and park on a channel receive; time from the first `go` until
// all have checked in, and resident memory per parked goroutine (RSS from
// /proc/self/statm).  GOMAXPROCS comes from the environment (coroc bench sets
// it to the worker count of our side).
// Prints "RESULT spawn_ns <ns>" and "RESULT mem_bytes <bytes>".  Usage: spawn [N]
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		fmt.Fprintln(os.Stderr, "spawn:", err)
		os.Exit(1)
	}
	var size, resident int64
	fmt.Sscan(string(data), &size, &resident)
	return resident * int64(os.Getpagesize())
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var started, finished sync.WaitGroup
	release := make(chan struct{})
	started.Add(n)
	finished.Add(n)
	before := rssBytes()
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-release
			finished.Done()
		}()
	}
	started.Wait()
	elapsed := time.Since(start)
	after := rssBytes()
	close(release)
	finished.Wait()
	fmt.Printf("RESULT spawn_ns %.3f\n", float64(elapsed.Nanoseconds())/float64(n))
	fmt.Printf("RESULT mem_bytes %.3f\n", float64(after-before)/float64(n))
}
