package main

import (
	"context"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// An open file of the loopback file system whose reads, writes, flushes, syncs, locks and release ask the
// injector first; go-fuse's loopback file does the work.
type file struct {
	*fs.LoopbackFile
	node *node
}

func wrapFile(fh fs.FileHandle, n *node) fs.FileHandle {
	if lf, ok := fh.(*fs.LoopbackFile); ok {
		return &file{LoopbackFile: lf, node: n}
	}
	return fh
}

// unwrap hands go-fuse's loopback node the file it made.
func unwrap(fh fs.FileHandle) fs.FileHandle {
	if f, ok := fh.(*file); ok {
		return f.LoopbackFile
	}
	return fh
}

// PassthroughFd lets the kernel read and write the file below directly (FUSE passthrough) only when no rule
// can act on this file's reads or writes; otherwise every read and write comes here.
func (f *file) PassthroughFd() (int, bool) {
	rel := f.node.rel()
	if f.node.in.mayAct("read", rel) || f.node.in.mayAct("write", rel) {
		return 0, false
	}
	return f.LoopbackFile.PassthroughFd()
}

func (f *file) check(ctx context.Context, method string) (syscall.Errno, effects) {
	return f.node.in.check(ctx, method, f.node.rel())
}

func (f *file) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	errno, fx := f.check(ctx, "read")
	if errno != 0 {
		return nil, errno
	}
	res, errno := f.LoopbackFile.Read(ctx, dest, off)
	if errno != 0 || len(fx.mistakes) == 0 {
		return res, errno
	}
	data, status := res.Bytes(dest)
	if !status.Ok() {
		return nil, syscall.EIO
	}
	fx.corrupt(data)
	return fuse.ReadResultData(data), 0
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	errno, fx := f.check(ctx, "write")
	if errno != 0 {
		return 0, errno
	}
	if len(fx.mistakes) > 0 {
		data = append([]byte(nil), data...)
		fx.corrupt(data)
	}
	return f.LoopbackFile.Write(ctx, data, off)
}

func (f *file) Writev(ctx context.Context, data [][]byte, off int64) (uint32, syscall.Errno) {
	joined := []byte{}
	for _, part := range data {
		joined = append(joined, part...)
	}
	return f.Write(ctx, joined, off)
}

func (f *file) Flush(ctx context.Context) syscall.Errno {
	if errno, _ := f.check(ctx, "flush"); errno != 0 {
		return errno
	}
	return f.LoopbackFile.Flush(ctx)
}

func (f *file) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	if errno, _ := f.check(ctx, "fsync"); errno != 0 {
		return errno
	}
	return f.LoopbackFile.Fsync(ctx, flags)
}

// Release cannot fail (the kernel ignores its answer): a fault only delays it; the file is closed anyway.
func (f *file) Release(ctx context.Context) syscall.Errno {
	f.check(ctx, "release")
	return f.LoopbackFile.Release(ctx)
}

func (f *file) Getlk(ctx context.Context, owner uint64, lk *fuse.FileLock, flags uint32, out *fuse.FileLock) syscall.Errno {
	if errno, _ := f.check(ctx, "getlk"); errno != 0 {
		return errno
	}
	return f.LoopbackFile.Getlk(ctx, owner, lk, flags, out)
}

func (f *file) Setlk(ctx context.Context, owner uint64, lk *fuse.FileLock, flags uint32) syscall.Errno {
	if errno, _ := f.check(ctx, "setlk"); errno != 0 {
		return errno
	}
	return f.LoopbackFile.Setlk(ctx, owner, lk, flags)
}

func (f *file) Setlkw(ctx context.Context, owner uint64, lk *fuse.FileLock, flags uint32) syscall.Errno {
	if errno, _ := f.check(ctx, "setlk"); errno != 0 {
		return errno
	}
	return f.LoopbackFile.Setlkw(ctx, owner, lk, flags)
}

// An open directory: readdir, fsyncdir and releasedir ask the injector first.
// go-fuse asks for a listing one entry at a time, so readdir is checked once per pass over the directory
// (its first entry after opening or rewinding), not once per entry.
type dir struct {
	inner   fs.FileHandle
	node    *node
	started bool
}

func (d *dir) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	if !d.started {
		if errno, _ := d.node.in.check(ctx, "readdir", d.node.rel()); errno != 0 {
			return nil, errno
		}
		d.started = true
	}
	return d.inner.(fs.FileReaddirenter).Readdirent(ctx)
}

func (d *dir) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	if off == 0 {
		d.started = false
	}
	if s, ok := d.inner.(fs.FileSeekdirer); ok {
		return s.Seekdir(ctx, off)
	}
	return syscall.ENOTSUP
}

func (d *dir) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno {
	if errno, _ := d.node.in.check(ctx, "fsyncdir", d.node.rel()); errno != 0 {
		return errno
	}
	if s, ok := d.inner.(fs.FileFsyncdirer); ok {
		return s.Fsyncdir(ctx, flags)
	}
	return 0
}

// Releasedir cannot fail: a fault only delays it.
func (d *dir) Releasedir(ctx context.Context, flags uint32) {
	d.node.in.check(ctx, "releasedir", d.node.rel())
	if r, ok := d.inner.(fs.FileReleasedirer); ok {
		r.Releasedir(ctx, flags)
	}
}
