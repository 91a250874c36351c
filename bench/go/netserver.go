// netserver.go — Go peer of the HTTP hello and TCP echo servers: a raw
// net.Listener on 127.0.0.1, one goroutine per connection, no net/http (the
// same work as bench/epoll_server.c and the translated coroc servers).
// GOMAXPROCS comes from the environment.
// Usage: netserver http|echo PORT   (serves until killed)
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
)

var response = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!")

func serveHTTP(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4096)
	have := 0
	for {
		n, err := c.Read(buf[have:])
		if n <= 0 || err != nil {
			return
		}
		have += n
		for {
			end := bytes.Index(buf[:have], []byte("\r\n\r\n"))
			if end < 0 {
				break
			}
			if _, err := c.Write(response); err != nil {
				return
			}
			used := end + 4
			copy(buf, buf[used:have])
			have -= used
		}
		if have == len(buf) {
			return
		}
	}
}

func serveEcho(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 512)
	for {
		n, err := c.Read(buf)
		if n <= 0 || err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "http" && os.Args[1] != "echo") {
		fmt.Fprintln(os.Stderr, "usage: netserver http|echo PORT")
		os.Exit(2)
	}
	port, _ := strconv.Atoi(os.Args[2])
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "netserver:", err)
		os.Exit(1)
	}
	serve := serveHTTP
	if os.Args[1] == "echo" {
		serve = serveEcho
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go serve(c)
	}
}
