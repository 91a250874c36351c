// fairness.go — Go peer of bench/fairness.c: on GOMAXPROCS=1 a goroutine spins
// on the CPU while another sleeps 10 ms at a time; lateness = how much longer
// than 10 ms each sleep took.  Go preempts the spinner asynchronously (sysmon,
// every 10 ms of running).  Prints "RESULT tick_late_p50_us <us>" and
// "RESULT tick_late_p99_us <us>".  Usage: fairness [ticks]
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

func main() {
	ticks := 100
	if len(os.Args) > 1 {
		ticks, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
	var stop int32
	spun := make(chan uint64)
	go func() {
		x := uint64(1)
		for atomic.LoadInt32(&stop) == 0 {
			for i := 0; i < 1000; i++ {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}
		spun <- x
	}()
	late := make([]float64, 0, ticks)
	for i := 0; i < ticks; i++ {
		start := time.Now()
		time.Sleep(10 * time.Millisecond)
		late = append(late, float64(time.Since(start).Microseconds())-10000)
	}
	atomic.StoreInt32(&stop, 1)
	<-spun
	sort.Float64s(late)
	pct := func(p float64) float64 {
		rank := int(p/100*float64(len(late)) + 0.999999)
		if rank < 1 {
			rank = 1
		}
		return late[rank-1]
	}
	fmt.Printf("RESULT tick_late_p50_us %.3f\n", pct(50))
	fmt.Printf("RESULT tick_late_p99_us %.3f\n", pct(99))
}
