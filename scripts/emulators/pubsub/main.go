// A Pub/Sub emulator for tests: the Go client library's in-memory server (pstest), bound to one
// address given on the command line. It lives as long as this process; state is not persisted.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8085", "host:port to listen on (loopback only)")
	flag.Parse()
	srv := pstest.NewServerWithAddress(*addr)
	// The readiness line tests wait for: the server accepts connections from here on.
	fmt.Printf("pstest listening on %s\n", srv.Addr)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	if err := srv.Close(); err != nil {
		log.Printf("close: %v", err)
	}
}
