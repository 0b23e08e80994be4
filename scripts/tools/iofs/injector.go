package main

import (
	"context"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// The injector decides, for one operation on one path, what the rules do to it: each matching rule (path,
// method, percent) in order adds its latency, the first matching fault fails the operation, and matching
// attribute overrides and mistakes are handed back for the operation to apply to its result.
type injector struct {
	volume string
	rules  []rule
}

type effects struct {
	attrs    []*action
	mistakes []*mistake
}

func (in *injector) applies(r *rule, method, rel string) bool {
	if r.methods != nil && !r.methods[method] {
		return false
	}
	if !r.glob.matches(in.volume, rel) {
		return false
	}
	return r.percent >= 100 || rand.IntN(100) < r.percent
}

// mayAct tells whether some rule could act on this method and path (percent aside).
func (in *injector) mayAct(method, rel string) bool {
	for i := range in.rules {
		r := &in.rules[i]
		if (r.methods == nil || r.methods[method]) && r.glob.matches(in.volume, rel) {
			return true
		}
	}
	return false
}

// check runs the latency of the matching rules and returns the errno of the first matching fault (0: none).
func (in *injector) check(ctx context.Context, method, rel string) (syscall.Errno, effects) {
	var fx effects
	for i := range in.rules {
		r := &in.rules[i]
		if !in.applies(r, method, rel) {
			continue
		}
		switch r.kind {
		case "latency":
			timer := time.NewTimer(r.delay)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				return syscall.EINTR, fx
			}
		case "fault":
			if errno := pickErrno(r.faults); errno != 0 {
				return errno, fx
			}
		case "attrOverride":
			fx.attrs = append(fx.attrs, r.attr)
		case "mistake":
			fx.mistakes = append(fx.mistakes, r.mistake)
		}
	}
	return 0, fx
}

// pickErrno picks one fault by weight; errno 0 (unset) is EIO.
func pickErrno(faults []ioFault) syscall.Errno {
	total := int32(0)
	for _, f := range faults {
		total += f.Weight
	}
	pick := faults[0]
	if total > 0 {
		n := rand.Int32N(total)
		for _, f := range faults {
			if n < f.Weight {
				pick = f
				break
			}
			n -= f.Weight
		}
	}
	if pick.Errno == 0 {
		return syscall.EIO
	}
	return syscall.Errno(pick.Errno)
}

// overrideAttr applies attribute overrides to an attribute answer.
func (fx effects) overrideAttr(attr *fuse.Attr) {
	for _, a := range fx.attrs {
		if a.Ino != nil {
			attr.Ino = *a.Ino
		}
		if a.Size != nil {
			attr.Size = *a.Size
		}
		if a.Blocks != nil {
			attr.Blocks = *a.Blocks
		}
		if a.Atime != nil {
			attr.Atime, attr.Atimensec = uint64(a.Atime.Sec), uint32(a.Atime.Nsec)
		}
		if a.Mtime != nil {
			attr.Mtime, attr.Mtimensec = uint64(a.Mtime.Sec), uint32(a.Mtime.Nsec)
		}
		if a.Ctime != nil {
			attr.Ctime, attr.Ctimensec = uint64(a.Ctime.Sec), uint32(a.Ctime.Nsec)
		}
		if a.Kind != nil {
			attr.Mode = attr.Mode&^syscall.S_IFMT | fileKinds[*a.Kind]
		}
		if a.Perm != nil {
			attr.Mode = attr.Mode&syscall.S_IFMT | uint32(*a.Perm)
		}
		if a.Nlink != nil {
			attr.Nlink = *a.Nlink
		}
		if a.UID != nil {
			attr.Uid = *a.UID
		}
		if a.GID != nil {
			attr.Gid = *a.GID
		}
		if a.Rdev != nil {
			attr.Rdev = *a.Rdev
		}
	}
}

// overrideStatx applies attribute overrides to a statx answer.
func (fx effects) overrideStatx(st *fuse.Statx) {
	if len(fx.attrs) == 0 {
		return
	}
	var attr fuse.Attr
	attr.Ino, attr.Size, attr.Blocks, attr.Mode, attr.Nlink = st.Ino, st.Size, st.Blocks, uint32(st.Mode), st.Nlink
	attr.Uid, attr.Gid = st.Uid, st.Gid
	attr.Atime, attr.Atimensec = uint64(st.Atime.Sec), st.Atime.Nsec
	attr.Mtime, attr.Mtimensec = uint64(st.Mtime.Sec), st.Mtime.Nsec
	attr.Ctime, attr.Ctimensec = uint64(st.Ctime.Sec), st.Ctime.Nsec
	fx.overrideAttr(&attr)
	st.Ino, st.Size, st.Blocks, st.Mode, st.Nlink = attr.Ino, attr.Size, attr.Blocks, uint16(attr.Mode), attr.Nlink
	st.Uid, st.Gid = attr.Uid, attr.Gid
	st.Atime.Sec, st.Atime.Nsec = attr.Atime, attr.Atimensec
	st.Mtime.Sec, st.Mtime.Nsec = attr.Mtime, attr.Mtimensec
	st.Ctime.Sec, st.Ctime.Nsec = attr.Ctime, attr.Ctimensec
	for _, a := range fx.attrs {
		if a.Rdev != nil {
			st.RdevMajor, st.RdevMinor = unix.Major(uint64(*a.Rdev)), unix.Minor(uint64(*a.Rdev))
		}
	}
}

// corrupt applies mistakes to data in place: each mistake overwrites 1..maxOccurrences runs of
// 1..maxLength bytes at random offsets with zeros or random bytes.
func (fx effects) corrupt(data []byte) {
	if len(data) == 0 {
		return
	}
	for _, m := range fx.mistakes {
		runs := 1 + rand.Int64N(m.MaxOccurrences)
		for ; runs > 0; runs-- {
			start := rand.IntN(len(data))
			length := 1 + int(rand.Int64N(m.MaxLength))
			end := min(len(data), start+length)
			for i := start; i < end; i++ {
				if m.Filling == "zero" {
					data[i] = 0
				} else {
					data[i] = byte(rand.UintN(256))
				}
			}
		}
	}
}
