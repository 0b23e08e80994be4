package main

import (
	"context"
	"path"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// A node of the loopback file system that asks the injector before each operation. Every operation not
// listed here is go-fuse's loopback, untouched.
type node struct {
	fs.LoopbackNode
	in *injector
}

func newNode(in *injector) func(*fs.LoopbackRoot, *fs.Inode, string, *syscall.Stat_t) fs.InodeEmbedder {
	return func(root *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{LoopbackNode: fs.LoopbackNode{RootData: root}, in: in}
	}
}

// rel is the node's path inside the volume ("" for its root).
func (n *node) rel() string { return n.Path(n.Root()) }

func (n *node) child(name string) string { return path.Join(n.rel(), name) }

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	errno, fx := n.in.check(ctx, "lookup", n.child(name))
	if errno != 0 {
		return nil, errno
	}
	child, errno := n.LoopbackNode.Lookup(ctx, name, out)
	if errno == 0 {
		fx.overrideAttr(&out.Attr)
	}
	return child, errno
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	errno, fx := n.in.check(ctx, "getattr", n.rel())
	if errno != 0 {
		return errno
	}
	errno = n.LoopbackNode.Getattr(ctx, unwrap(f), out)
	if errno == 0 {
		fx.overrideAttr(&out.Attr)
	}
	return errno
}

func (n *node) Statx(ctx context.Context, f fs.FileHandle, flags, mask uint32, out *fuse.StatxOut) syscall.Errno {
	errno, fx := n.in.check(ctx, "getattr", n.rel())
	if errno != 0 {
		return errno
	}
	errno = n.LoopbackNode.Statx(ctx, unwrap(f), flags, mask, out)
	if errno == 0 {
		fx.overrideStatx(&out.Statx)
	}
	return errno
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	errno, fx := n.in.check(ctx, "setattr", n.rel())
	if errno != 0 {
		return errno
	}
	errno = n.LoopbackNode.Setattr(ctx, unwrap(f), in, out)
	if errno == 0 {
		fx.overrideAttr(&out.Attr)
	}
	return errno
}

func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "readlink", n.rel()); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Readlink(ctx)
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "mknod", n.child(name)); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "mkdir", n.child(name)); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Mkdir(ctx, name, mode, out)
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if errno, _ := n.in.check(ctx, "unlink", n.child(name)); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Unlink(ctx, name)
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if errno, _ := n.in.check(ctx, "rmdir", n.child(name)); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Rmdir(ctx, name)
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "symlink", n.child(name)); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Symlink(ctx, target, name, out)
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if errno, _ := n.in.check(ctx, "rename", n.child(name)); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "link", n.child(name)); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Link(ctx, target, name, out)
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "open", n.rel()); errno != 0 {
		return nil, 0, errno
	}
	fh, fuseFlags, errno := n.LoopbackNode.Open(ctx, flags)
	if errno != 0 {
		return nil, 0, errno
	}
	return wrapFile(fh, n), fuseFlags, 0
}

func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "create", n.child(name)); errno != 0 {
		return nil, nil, 0, errno
	}
	inode, fh, fuseFlags, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	return inode, wrapFile(fh, inode.Operations().(*node)), fuseFlags, 0
}

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "opendir", n.rel()); errno != 0 {
		return nil, 0, errno
	}
	fh, fuseFlags, errno := n.LoopbackNode.OpendirHandle(ctx, flags)
	if errno != 0 {
		return nil, 0, errno
	}
	return &dir{inner: fh, node: n}, fuseFlags, 0
}

func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	if errno, _ := n.in.check(ctx, "statfs", n.rel()); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Statfs(ctx, out)
}

func (n *node) Getxattr(ctx context.Context, attr string, dest []byte) (uint32, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "getxattr", n.rel()); errno != 0 {
		return 0, errno
	}
	return n.LoopbackNode.Getxattr(ctx, attr, dest)
}

func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	if errno, _ := n.in.check(ctx, "setxattr", n.rel()); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Setxattr(ctx, attr, data, flags)
}

func (n *node) Listxattr(ctx context.Context, dest []byte) (uint32, syscall.Errno) {
	if errno, _ := n.in.check(ctx, "listxattr", n.rel()); errno != 0 {
		return 0, errno
	}
	return n.LoopbackNode.Listxattr(ctx, dest)
}

func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	if errno, _ := n.in.check(ctx, "removexattr", n.rel()); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Removexattr(ctx, attr)
}
