// chan.go — Go peer of bench_chan: unbuffered channel ping-pong between 2
// goroutines on GOMAXPROCS=1.  One round trip is two one-way hand-offs.
// Like bench_chan: the best of 5 rounds.  Prints "RESULT chan_oneway_ns <ns
// per one-way send/recv>".  Usage: chan [round trips per round] (default 1,000,000)
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
	ping := make(chan int)
	pong := make(chan int)
	done := make(chan struct{})
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(done)
	}()
	best := 1e30
	for r := 0; r < 5; r++ {
		start := time.Now()
		v := 0
		for i := 0; i < n; i++ {
			ping <- v
			v = <-pong
		}
		ns := float64(time.Since(start).Nanoseconds()) / float64(2*n)
		if v != n {
			fmt.Fprintf(os.Stderr, "chan: token %d after %d round trips\n", v, n)
			os.Exit(1)
		}
		if ns < best {
			best = ns
		}
	}
	close(ping)
	<-done
	fmt.Printf("RESULT chan_oneway_ns %.2f\n", best)
}
