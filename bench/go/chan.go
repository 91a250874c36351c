// chan.go — Go peer of bench/chan.c: unbuffered channel ping-pong between two
// goroutines on GOMAXPROCS=1.  Prints "RESULT chan_oneway_ns <ns>" =
// elapsed / (2 * round trips).  Usage: chan [round trips]
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
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	v := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
	}
	elapsed := time.Since(start)
	close(ping)
	fmt.Printf("RESULT chan_oneway_ns %.3f\n", float64(elapsed.Nanoseconds())/float64(2*n))
}
