// mem.go — Go peer of bench_mem: resident memory per goroutine parked on a
// channel receive, as (RSS with N parked - RSS before) / N, RSS read from
// /proc/self/statm.  Prints "RESULT mem_bytes <bytes per parked goroutine>".
// Usage: mem [N]
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mem:", err)
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
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-release
			finished.Done()
		}()
	}
	started.Wait()
	after := rssBytes()
	close(release)
	finished.Wait()
	fmt.Printf("RESULT mem_bytes %.1f\n", float64(after-before)/float64(n))
}
