// yield.go — Go peer of bench/yield.c: runtime.Gosched() between 2 goroutines
// on GOMAXPROCS=1, so every Gosched switches to the other goroutine.
// Prints "RESULT yield_ns <ns per Gosched>".  Usage: yield [yields per goroutine]
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 2000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
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
	fmt.Printf("RESULT yield_ns %.3f\n", float64(time.Since(start).Nanoseconds())/float64(2*n))
}
