package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// A line of /proc/self/mountinfo: the mount point, its optional fields (propagation) and its type.
type mountLine struct {
	point    string
	optional []string
	fstype   string
}

func readMountinfo() ([]mountLine, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []mountLine
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 10 {
			continue
		}
		sep := 6
		for sep < len(fields) && fields[sep] != "-" {
			sep++
		}
		if sep+1 >= len(fields) {
			continue
		}
		lines = append(lines, mountLine{point: unescape(fields[4]), optional: fields[6:sep], fstype: fields[sep+1]})
	}
	return lines, scanner.Err()
}

// unescape undoes mountinfo's octal escapes (\040 for a blank, ...).
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%3o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// containing is the mount the path is on: the last mount whose point is the path or a parent of it.
func containing(lines []mountLine, path string) *mountLine {
	var found *mountLine
	for i := range lines {
		p := lines[i].point
		if p == path || p == "/" || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") {
			found = &lines[i]
		}
	}
	return found
}

// refuseShared refuses a volume on a shared mount: a mount there would propagate to the mount's peers in
// other namespaces (the host's, for a namespace made by `unshare -m --propagation unchanged`).
func refuseSharedMount(volume string) error {
	lines, err := readMountinfo()
	if err != nil {
		return fmt.Errorf("reading /proc/self/mountinfo: %v", err)
	}
	m := containing(lines, volume)
	if m == nil {
		return nil
	}
	for _, o := range m.optional {
		if strings.HasPrefix(o, "shared:") {
			return fmt.Errorf("the volume %s is on the mount %s, which is shared (%s) with other mount namespaces: a FUSE mount there would appear in them too; make it private or slave in the target's namespace first", volume, m.point, o)
		}
	}
	return nil
}

// unmountLeftover unmounts the chaosflow-iofs mount at the volume, if there is one (its server may be dead):
// "unmounted", "detached" when it was busy, or "none".
func unmountLeftover(volume string) (string, error) {
	if err := checkVolume(volume); err != nil {
		return "", err
	}
	lines, err := readMountinfo()
	if err != nil {
		return "", fmt.Errorf("reading /proc/self/mountinfo: %v", err)
	}
	outcome := "none"
	// Top first: a mount over ours would hide it.
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].point != volume {
			continue
		}
		if lines[i].fstype != "fuse."+fsName {
			break
		}
		if err := syscall.Unmount(volume, 0); err == nil {
			outcome = "unmounted"
			continue
		}
		if err := syscall.Unmount(volume, syscall.MNT_DETACH); err != nil {
			return "", fmt.Errorf("unmounting %s: %v", volume, err)
		}
		outcome = "detached"
	}
	return outcome, nil
}
