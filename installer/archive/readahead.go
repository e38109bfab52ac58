package archive

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
)

// A tar.gz is read in order, one entry after the other. Unpacked on one
// goroutine, the inflating, the tar headers and the SHA-256 of each file
// wait for the file system, and the file system for them. readAhead puts
// the reading and the hashing on a goroutine of their own, a few entries
// ahead of the one creating the files (which is system time), as tar
// does with its gzip process: on two cores the two overlap.
const aheadEntries = 64 // entries read ahead, at most

// SmallFile is the largest file of a tar.gz read ahead whole.
const SmallFile = 64 << 10

// Hashed is a small file's body read ahead with its SHA-256, as a tar.gz's
// Extract hands it to write: the writer writes Data and records Sum
// without hashing it again. It reads like any reader.
type Hashed struct {
	bytes.Reader
	Data []byte
	Sum  [sha256.Size]byte
}

var errStopped = errors.New("read-ahead stopped")

// readAhead calls walk on a goroutine of its own, and fn with each entry
// it passes. With workers > 1 the files go to that many goroutines, as
// creating files is system time that two cores halve (one folder's files
// too: the kernel holds the folder's lock only for the name); folders are
// made on the caller's goroutine in archive order, a hard link once every
// entry before it is done (its file must be whole), and the symbolic
// links last, once every file is written: no file can then be written
// through one, whatever the archive's names (the checker compares names
// as strings, the file system may not), and on Windows a link to a folder
// finds the folder made (os.Symlink picks the kind of link from it). The
// links are kept until then: a name and a target each. The archive's
// checks keep the rest independent: no name twice. The first pool.After
// files are created on the caller's goroutine, one after the other, and
// the workers start only if more come. With pool.Workers <= 1
// every entry is given to fn in order on the caller's goroutine. fn's
// first error stops the walk; walk's error is returned once fn has had
// every entry before it.
func readAhead(walk func(func(Entry, io.Reader) error) error, pool Pool, fn func(Entry, io.Reader) error) error {
	workers := pool.Workers
	items := make(chan aheadItem, aheadEntries)
	stop := make(chan struct{})
	walked := make(chan error, 1)
	go func() {
		defer close(items)
		walked <- walk(func(e Entry, r io.Reader) error {
			it := aheadItem{e: e}
			var large *io.PipeWriter
			switch {
			case r == nil:
			case e.Size <= SmallFile:
				// Its own buffer, of its size: at most aheadEntries of them
				// (4 MiB) are held at once, and none once staged.
				data := make([]byte, e.Size)
				if _, err := io.ReadFull(r, data); err != nil {
					return err
				}
				it.body = &Hashed{Data: data, Sum: sha256.Sum256(data)}
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
	var (
		mu    sync.Mutex
		first error
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	// run gives fn one entry, then reads what fn left of a large body (the
	// walk waits for it); after the first error, only closes the body.
	run := func(it aheadItem) {
		if failed() {
			it.close()
			return
		}
		err := fn(it.e, it.reader())
		if it.pipe != nil && err == nil {
			_, err = io.Copy(io.Discard, it.pipe)
		}
		if err != nil {
			it.close()
			mu.Lock()
			if first == nil {
				first = err
				close(stop)
			}
			mu.Unlock()
		}
	}
	jobs := make(chan aheadItem)
	var busy, done sync.WaitGroup // jobs given out; workers
	var links []aheadItem
	inline, started := 0, false
	for it := range items {
		switch {
		case workers < 2 || it.e.Kind == Dir:
			run(it)
		case it.e.Kind == Symlink:
			links = append(links, it)
		case it.e.Kind == Hardlink:
			busy.Wait()
			run(it)
		case !started && inline < pool.After:
			inline++
			run(it)
		default:
			if !started {
				started = true
				for range workers {
					done.Go(func() {
						for it := range jobs {
							run(it)
							busy.Done()
						}
					})
				}
			}
			busy.Add(1)
			jobs <- it
		}
	}
	close(jobs)
	done.Wait()
	werr := <-walked
	if werr == nil {
		// Only once the archive has passed every check: the last ones
		// judge each link again with all of them known.
		for _, it := range links {
			run(it)
		}
	}
	err := first
	if err == nil && !errors.Is(werr, errStopped) {
		err = werr
	}
	return err
}

// aheadItem is an entry read ahead, with its bytes: a small file's whole
// (body), a large one's as they are read (pipe).
type aheadItem struct {
	e    Entry
	body *Hashed
	pipe *io.PipeReader
}

func (it aheadItem) reader() io.Reader {
	switch {
	case it.body != nil:
		return it.body
	case it.pipe != nil:
		return it.pipe
	}
	return nil
}

// close ends a large body's stream early: the walk's copy stops.
func (it aheadItem) close() {
	if it.pipe != nil {
		it.pipe.CloseWithError(errStopped)
	}
}
