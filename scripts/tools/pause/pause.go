// Command pause is the local pause image's only program (local.test/pause:1): containerd's sandbox image, and
// the image pod-failure switches containers to. It sleeps until SIGINT or SIGTERM and then exits 0, so that a
// container running it stops at once instead of waiting out its grace period (a PID 1 without a handler ignores
// SIGTERM). As PID 1 of a sandbox it also reaps the zombies of a shared process namespace.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
