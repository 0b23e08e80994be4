// chaosflow-iofs: the IOChaos file system of the chaosflow agent. It mounts a loopback FUSE file system over a
// folder (the target's volume) and applies Chaos Mesh's IOChaos actions to what passes through it: latency,
// fault (errno), attrOverride and mistake, for paths matching a glob and the methods named.
//
//	chaosflow-iofs mount --volume PATH [--actions FILE]   actions JSON from FILE, or stdin when absent
//	chaosflow-iofs check [--actions FILE]                 only checks the actions
//	chaosflow-iofs unmount --volume PATH                  unmounts a chaosflow-iofs mount left at PATH
//
// The agent runs it inside the target's mount namespace (nsenter --mount). `mount` opens the folder before
// mounting over it and loops back through /proc/self/fd/N, so the mount sits on the same path and the files
// under it stay reachable. It writes one JSON line to stdout once the mount serves ({"ready":true}), or
// {"error":"..."}, and unmounts on SIGTERM or SIGINT (lazily when the mount is busy) before it exits.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// fsName is the mount's source and type suffix (fuse.chaosflow-iofs in /proc/self/mountinfo): how an unmount
// knows a mount is ours.
const fsName = "chaosflow-iofs"

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: chaosflow-iofs mount|check|unmount [--volume PATH] [--actions FILE]"))
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ContinueOnError)
	volume := flags.String("volume", "", "the folder to mount over (absolute)")
	actionsFile := flags.String("actions", "", "file with the actions JSON (default: stdin)")
	if err := flags.Parse(os.Args[2:]); err != nil {
		fail(err)
	}
	var err error
	switch os.Args[1] {
	case "mount":
		err = mountAndServe(*volume, *actionsFile)
	case "check":
		_, err = readRules(*actionsFile)
		if err == nil {
			answer(map[string]any{"ok": true})
		}
	case "unmount":
		var outcome string
		outcome, err = unmountLeftover(*volume)
		if err == nil {
			answer(map[string]any{"outcome": outcome})
		}
	default:
		err = fmt.Errorf("unknown command %q (mount, check or unmount)", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func answer(v any) {
	line, _ := json.Marshal(v)
	os.Stdout.Write(append(line, '\n'))
}

func fail(err error) {
	answer(map[string]any{"error": err.Error()})
	os.Exit(1)
}

func readRules(actionsFile string) ([]rule, error) {
	var text []byte
	var err error
	if actionsFile == "" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(actionsFile)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the actions: %v", err)
	}
	return parseRules(string(text))
}

func checkVolume(volume string) error {
	if volume == "" || !filepath.IsAbs(volume) || filepath.Clean(volume) != volume {
		return fmt.Errorf("--volume must be a clean absolute path, got %q", volume)
	}
	return nil
}

func mountAndServe(volume, actionsFile string) error {
	if err := checkVolume(volume); err != nil {
		return err
	}
	rules, err := readRules(actionsFile)
	if err != nil {
		return err
	}
	if err := refuseSharedMount(volume); err != nil {
		return err
	}
	// The folder as it is before the mount hides it: the loopback reads and writes through this fd.
	fd, err := syscall.Open(volume, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening the volume %s: %v", volume, err)
	}
	under := fmt.Sprintf("/proc/self/fd/%d", fd)
	in := &injector{volume: volume, rules: rules}
	var st syscall.Stat_t
	if err := syscall.Stat(under, &st); err != nil {
		return fmt.Errorf("stat of the volume %s: %v", volume, err)
	}
	root := &fs.LoopbackRoot{Path: under, Dev: uint64(st.Dev), NewNode: newNode(in)}
	rootNode := root.NewNode(root, nil, "", &st)
	root.RootNode = rootNode
	zero := time.Duration(0)
	server, err := fs.Mount(volume, rootNode, &fs.Options{
		// No caching of entries or attributes in the kernel: every lookup and stat reaches the rules.
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			AllowOther:  true,
			FsName:      fsName,
			Name:        fsName,
			DirectMount: true,
			// The kernel checks permissions against the attributes, as it did for the folder below: the
			// server runs as root and would otherwise let anyone through.
			Options: []string{"default_permissions"},
		},
	})
	if err != nil {
		return fmt.Errorf("mounting over %s: %v", volume, err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	answer(map[string]any{"ready": true, "pid": os.Getpid(), "rules": len(rules)})
	done := make(chan struct{})
	go func() {
		server.Wait()
		close(done)
	}()
	select {
	case <-stop:
	case <-done:
		return nil
	}
	unmounted := make(chan error, 1)
	go func() { unmounted <- server.Unmount() }()
	select {
	case err := <-unmounted:
		if err == nil {
			return nil
		}
	case <-time.After(unmountWait):
		// go-fuse waits for requests in flight (a delayed one, say) after the unmount: do not wait for them.
	}
	// Busy (a process has a file open or its working directory there), or slow: detach it now; the kernel
	// drops it once the last user lets go, and those users see ENOTCONN from then on.
	if err := syscall.Unmount(volume, syscall.MNT_DETACH); err != nil && err != syscall.EINVAL {
		return fmt.Errorf("unmounting %s: %v", volume, err)
	}
	return nil
}

// unmountWait is how long a clean unmount may take before the mount is detached instead.
const unmountWait = 2 * time.Second
