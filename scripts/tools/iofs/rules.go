package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"syscall"
	"time"
)

// The IOChaos actions as Chaos Mesh's PodIOChaos controller marshals them (v1alpha1.IOChaosAction): a JSON
// array of {type, path, methods, percent, faults [{errno, weight}], latency, ino, size, blocks, atime, mtime,
// ctime, kind, perm, nlink, uid, gid, rdev, mistake {filling, maxOccurrences, maxLength}, source}.
type action struct {
	Type    string    `json:"type"`
	Path    string    `json:"path"`
	Methods []string  `json:"methods"`
	Percent *int      `json:"percent"`
	Faults  []ioFault `json:"faults"`
	Latency string    `json:"latency"`
	Ino     *uint64   `json:"ino"`
	Size    *uint64   `json:"size"`
	Blocks  *uint64   `json:"blocks"`
	Atime   *timespec `json:"atime"`
	Mtime   *timespec `json:"mtime"`
	Ctime   *timespec `json:"ctime"`
	Kind    *string   `json:"kind"`
	Perm    *uint16   `json:"perm"`
	Nlink   *uint32   `json:"nlink"`
	UID     *uint32   `json:"uid"`
	GID     *uint32   `json:"gid"`
	Rdev    *uint32   `json:"rdev"`
	Mistake *mistake  `json:"mistake"`
	Source  string    `json:"source"`
}

type ioFault struct {
	Errno  uint32 `json:"errno"`
	Weight int32  `json:"weight"`
}

type timespec struct {
	Sec  int64 `json:"sec"`
	Nsec int64 `json:"nsec"`
}

type mistake struct {
	Filling        string `json:"filling"`
	MaxOccurrences int64  `json:"maxOccurrences"`
	MaxLength      int64  `json:"maxLength"`
}

// A rule is one checked action, ready to match.
type rule struct {
	kind    string // latency | fault | attrOverride | mistake
	glob    *glob
	methods map[string]bool // nil: every method
	percent int
	delay   time.Duration
	faults  []ioFault
	attr    *action
	mistake *mistake
}

// The methods of Chaos Mesh's IOChaos that go-fuse's loopback exposes, so that a rule can act on them.
var supportedMethods = map[string]bool{
	"lookup": true, "getattr": true, "setattr": true, "readlink": true, "mknod": true, "mkdir": true,
	"unlink": true, "rmdir": true, "symlink": true, "rename": true, "link": true, "open": true, "read": true,
	"write": true, "flush": true, "release": true, "fsync": true, "opendir": true, "readdir": true,
	"releasedir": true, "fsyncdir": true, "statfs": true, "setxattr": true, "getxattr": true,
	"listxattr": true, "removexattr": true, "create": true, "getlk": true, "setlk": true,
}

// Methods Chaos Mesh names that this file system cannot act on, and why.
var unsupportedMethods = map[string]string{
	"forget": "the kernel's forget has no answer to delay or fail",
	"access": "the mount checks permissions in the kernel (default_permissions), which then sends no access",
	"bmap":   "bmap is only sent for block-device (fuseblk) file systems",
}

var fileKinds = map[string]uint32{
	"namedPipe": syscall.S_IFIFO, "charDevice": syscall.S_IFCHR, "blockDevice": syscall.S_IFBLK,
	"directory": syscall.S_IFDIR, "regularFile": syscall.S_IFREG, "symlink": syscall.S_IFLNK,
	"socket": syscall.S_IFSOCK,
}

const maxMistakeLength = 1 << 20

// parseRules checks every action and returns the rules, or an error naming the first bad field.
func parseRules(text string) ([]rule, error) {
	var actions []action
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&actions); err != nil {
		return nil, fmt.Errorf("actions: not a JSON array of IOChaos actions: %v", err)
	}
	rules := make([]rule, 0, len(actions))
	for i, a := range actions {
		r, err := parseRule(a)
		if err != nil {
			return nil, fmt.Errorf("actions[%d].%v", i, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func parseRule(a action) (rule, error) {
	r := rule{kind: a.Type, percent: 100}
	g, err := compileGlob(a.Path)
	if err != nil {
		return r, fmt.Errorf("path: %v", err)
	}
	r.glob = g
	if a.Percent != nil {
		if *a.Percent < 0 || *a.Percent > 100 {
			return r, fmt.Errorf("percent: %d is not within 0..100", *a.Percent)
		}
		r.percent = *a.Percent
	}
	if len(a.Methods) > 0 {
		r.methods = map[string]bool{}
		for _, m := range a.Methods {
			if why, ok := unsupportedMethods[m]; ok {
				return r, fmt.Errorf("methods: %q cannot be injected here: %s", m, why)
			}
			if !supportedMethods[m] {
				return r, fmt.Errorf("methods: %q is not an IOChaos method (one of %s)", m, methodList())
			}
			r.methods[m] = true
		}
	}
	switch a.Type {
	case "latency":
		d, err := time.ParseDuration(a.Latency)
		if err != nil || d <= 0 || d > time.Hour {
			return r, fmt.Errorf("latency: %q is not a Go duration between 0 and 1h", a.Latency)
		}
		r.delay = d
	case "fault":
		for _, f := range a.Faults {
			if f.Errno > 4095 {
				return r, fmt.Errorf("faults: errno %d is out of range", f.Errno)
			}
			if f.Weight < 0 {
				return r, fmt.Errorf("faults: weight %d is negative", f.Weight)
			}
		}
		r.faults = a.Faults
		if len(r.faults) == 0 {
			r.faults = []ioFault{{Errno: uint32(syscall.EIO), Weight: 1}}
		}
	case "attrOverride":
		if a.Kind != nil {
			if _, ok := fileKinds[*a.Kind]; !ok {
				return r, fmt.Errorf("kind: %q is not a file kind (namedPipe, charDevice, blockDevice, directory, regularFile, symlink, socket)", *a.Kind)
			}
		}
		if a.Perm != nil && *a.Perm > 0o7777 {
			return r, fmt.Errorf("perm: %d is more than 0o7777", *a.Perm)
		}
		copy := a
		r.attr = &copy
	case "mistake":
		m := a.Mistake
		if m == nil {
			return r, fmt.Errorf("mistake: required for a mistake action")
		}
		if m.Filling != "zero" && m.Filling != "random" {
			return r, fmt.Errorf("mistake.filling: %q is not zero or random", m.Filling)
		}
		if m.MaxOccurrences < 1 || m.MaxLength < 1 || m.MaxLength > maxMistakeLength {
			return r, fmt.Errorf("mistake: maxOccurrences must be >= 1 and maxLength within 1..%d", maxMistakeLength)
		}
		r.mistake = m
	default:
		return r, fmt.Errorf("type: %q is not latency, fault, attrOverride or mistake", a.Type)
	}
	return r, nil
}

func methodList() string {
	names := make([]string, 0, len(supportedMethods))
	for m := range supportedMethods {
		names = append(names, m)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
