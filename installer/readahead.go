package installer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
)

// A tar.gz is read in order, one entry after the other. Unpacked on one
// goroutine, the inflating, the tar headers and the SHA-256 of each file
// wait for the file system, and the file system for them. readAhead puts
// the reading and the hashing on a goroutine of their own, a few entries
// ahead of the one creating the files (which is system time), as tar
// does with its gzip process: on two cores the two overlap.
const (
	aheadEntries = 64       // entries read ahead, at most
	aheadBody    = 64 << 10 // a file up to this size is read ahead whole
)

// hashed is a body read ahead with its SHA-256: the writer writes it and
// records the sum without hashing it again. It reads like any reader.
type hashed struct {
	bytes.Reader
	data []byte
	sum  [sha256.Size]byte
}

var errStopped = errors.New("read-ahead stopped")

// readAhead calls walk on a goroutine of its own, and fn with each entry
// it passes, in the same order, on the caller's. fn's first error stops
// the walk; walk's error is returned once fn has had every entry before
// it.
func readAhead(walk func(func(entry, io.Reader) error) error, fn func(entry, io.Reader) error) error {
	type item struct {
		e    entry
		body *hashed        // a small file's bytes
		pipe *io.PipeReader // a large file's, as they are read
	}
	items := make(chan item, aheadEntries)
	stop := make(chan struct{})
	walked := make(chan error, 1)
	go func() {
		defer close(items)
		walked <- walk(func(e entry, r io.Reader) error {
			it := item{e: e}
			var large *io.PipeWriter
			switch {
			case r == nil:
			case e.Size <= aheadBody:
				// Its own buffer, of its size: at most aheadEntries of them
				// (4 MiB) are held at once, and none once staged.
				data := make([]byte, e.Size)
				if _, err := io.ReadFull(r, data); err != nil {
					return err
				}
				it.body = &hashed{data: data, sum: sha256.Sum256(data)}
				it.body.Reset(data)
			default:
				it.pipe, large = io.Pipe()
			}
			select {
			case items <- it:
			case <-stop:
				return errStopped
			}
			if large != nil {
				// The writer reads it as it comes; a writer that fails
				// closes its end, and this copy ends with its error.
				_, err := io.Copy(large, r)
				large.CloseWithError(err)
				return err
			}
			return nil
		})
	}()
	var err error
	for it := range items {
		if err == nil {
			var r io.Reader
			switch {
			case it.body != nil:
				r = it.body
			case it.pipe != nil:
				r = it.pipe
			}
			if err = fn(it.e, r); err != nil {
				close(stop)
			}
			if it.pipe != nil && err == nil {
				_, err = io.Copy(io.Discard, it.pipe) // what fn left unread, as walk skips it
			}
			if it.pipe != nil && err != nil {
				it.pipe.CloseWithError(errStopped)
			}
		} else if it.pipe != nil {
			it.pipe.CloseWithError(errStopped)
		}
	}
	if werr := <-walked; err == nil && !errors.Is(werr, errStopped) {
		err = werr
	}
	return err
}
