package archive

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"iter"
	"sync"
)

// A tar.gz is read in order, one entry after the other. Unpacked on one
// goroutine, the inflating, the tar headers and the SHA-256 of each file
// wait for the file system, and the file system for them. readAhead puts
// the reading and the hashing on a goroutine of their own, a few entries
// ahead of the one creating the files (which is system time), as tar
// does with its gzip process: on two cores the two overlap.
const (
	aheadEntries = 64 // entries queued ahead (batches in hand add a few)
	aheadBatch   = 16 // entries handed over at once
)

// SmallFile is the largest file of a tar.gz read ahead whole.
const SmallFile = 64 << 10

// Hashed is a small file's body read ahead with its SHA-256, as a tar.gz's
// Extract hands it to write: the writer writes Data and records Sum
// without hashing it again. It reads like any reader, and only while
// write runs: its buffer is reused after.
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
	// The entries go over in batches: one hand-off between the goroutines
	// (a wake-up of the one waiting) per aheadBatch entries, not per entry.
	items := make(chan []aheadItem, aheadEntries/aheadBatch-1)
	free := make(chan []aheadItem, aheadEntries/aheadBatch+1) // batches handed back, for the next
	stop := make(chan struct{})
	walked := make(chan error, 1)
	go func() {
		defer close(items)
		var batch []aheadItem
		send := func() bool {
			if len(batch) == 0 {
				return true
			}
			select {
			case items <- batch:
				batch = nil
				return true
			case <-stop:
				for _, it := range batch {
					it.release()
				}
				batch = nil
				return false
			}
		}
		err := walk(func(e Entry, r io.Reader) error {
			it := aheadItem{e: e}
			var large *io.PipeWriter
			switch {
			case r == nil:
			case e.Size <= SmallFile:
				// A buffer of the pool, of the file's size class, given
				// back once staged. The batches queued, the one being
				// filled, the one being written and one per worker hold
				// them: a few more than aheadEntries (about 5 MiB at most). A new
				// buffer per file would be fresh memory to the kernel, a
				// page fault for each of its pages, as often as the files.
				var data []byte
				if e.Size > 0 {
					it.buf = aheadBuffer(e.Size)
					data = (*it.buf)[:e.Size]
				}
				if _, err := io.ReadFull(r, data); err != nil {
					it.release()
					return err
				}
				it.body = &Hashed{Data: data, Sum: sha256.Sum256(data)}
				it.body.Reset(data)
			default:
				it.pipe, large = io.Pipe()
			}
			if batch == nil {
				select {
				case batch = <-free:
				default:
					batch = make([]aheadItem, 0, aheadBatch)
				}
			}
			batch = append(batch, it)
			if (large != nil || len(batch) == aheadBatch) && !send() {
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
		if !send() && err == nil {
			err = errStopped
		}
		walked <- err
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
		defer it.release() // fn keeps no body
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
	for it := range each(items, free) {
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

// each gives the items of the batches, in order, and each batch back to
// free once given.
func each(batches <-chan []aheadItem, free chan<- []aheadItem) iter.Seq[aheadItem] {
	return func(yield func(aheadItem) bool) {
		for b := range batches {
			for _, it := range b {
				if !yield(it) {
					return
				}
			}
			clear(b)
			select {
			case free <- b[:0]:
			default:
			}
		}
	}
}

// aheadItem is an entry read ahead, with its bytes: a small file's whole
// (body), a large one's as they are read (pipe).
type aheadItem struct {
	e    Entry
	body *Hashed
	buf  *[]byte // body's, from aheadBuffers
	pipe *io.PipeReader
}

// aheadBuffers hold the bodies read ahead, by size: up to 4 KiB, 16 KiB
// and SmallFile (64 KiB).
var aheadBuffers [3]sync.Pool

func aheadClass(n int64) int {
	switch {
	case n <= 4<<10:
		return 0
	case n <= 16<<10:
		return 1
	}
	return 2
}

// aheadBuffer is a buffer of at least n bytes, n <= SmallFile.
func aheadBuffer(n int64) *[]byte {
	c := aheadClass(n)
	if b, ok := aheadBuffers[c].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 4<<10<<(2*c))
	return &b
}

// release gives the body's buffer back.
func (it aheadItem) release() {
	if it.buf != nil {
		aheadBuffers[aheadClass(int64(cap(*it.buf)))].Put(it.buf)
	}
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
