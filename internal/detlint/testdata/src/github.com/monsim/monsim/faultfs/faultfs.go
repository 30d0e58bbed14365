// Package faultfs plants the os-access cases.
package faultfs

import (
	"errors"
	"io/fs"
	_ "io/ioutil" // want `os-access: import "io/ioutil": use the vfs.FS`
	_ "net"       // want `os-access: import "net"`
	_ "net/http"  // want `os-access: import "net/http"`
	"os"
	_ "os/exec" // want `os-access: import "os/exec"`
	"path/filepath"
	"syscall"
)

func osAccess() {
	f, _ := os.Open("x")         // want `os-access: os.Open touches the real OS; use the vfs.FS`
	_, _ = os.ReadFile("x")      // want `os-access: os.ReadFile`
	_ = os.Getenv("HOME")        // want `os-access: os.Getenv`
	_ = f.Close()                // want `os-access: \(\*os.File\).Close`
	_ = os.Args                  // want `os-access: os.Args is process state`
	_ = filepath.Walk(".", nil)  // want `os-access: filepath.Walk reads the real disk`
	_, _ = filepath.Glob("*.go") // want `os-access: filepath.Glob`
	_ = syscall.Getpid()         // want `os-access: syscall.Getpid touches the real OS`
	os.Exit(1)                   // want `os-access: os.Exit`
}

// Types and error values of os and syscall are fine, and so is path arithmetic.
func nearMissOS(err error, mode os.FileMode) bool {
	var pathErr *os.PathError
	_ = filepath.Join("mon-0", filepath.Base("store"))
	return errors.Is(err, os.ErrNotExist) || errors.As(err, &pathErr) ||
		mode&os.ModeDir != 0 || mode.IsDir() || errors.Is(err, fs.ErrExist) ||
		errors.Is(err, syscall.ENOSPC) || err == syscall.EIO || syscall.EIO.Error() == ""
}
