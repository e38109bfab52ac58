package downloader

import (
	"errors"
	"fmt"
	"time"
)

// More errors callers branch on; see also downloader.go. Each says what
// went wrong; the front ends add what to do, in their own words and
// flags.
var (
	// ErrTooManyRedirects: the server redirects in a loop.
	ErrTooManyRedirects = errors.New("more than 10 redirects")
	// ErrNoSpace: the destination's volume is full (SpaceError before the
	// transfer, WriteError during it).
	ErrNoSpace = errors.New("not enough free space")
	// ErrDestIsFolder: the destination names an existing folder.
	ErrDestIsFolder = errors.New("the destination is a folder, not a file")
)

// TLSError: the server's certificate was refused (unknown authority, wrong
// host name, expired). Retrying cannot help; Err is the crypto/tls or
// crypto/x509 error (errors.As finds x509.UnknownAuthorityError or
// x509.HostnameError).
type TLSError struct {
	URL string
	Err error
}

func (e *TLSError) Error() string {
	return fmt.Sprintf("%s: the server's certificate was refused: %v", e.URL, e.Err)
}

func (e *TLSError) Unwrap() error { return e.Err }

// ProxyAuthError: the proxy answered 407 Proxy Authentication Required.
// Proxy is the proxy's address without credentials.
type ProxyAuthError struct {
	Proxy string
}

func (e *ProxyAuthError) Error() string {
	return fmt.Sprintf("the proxy %s refused the request: 407 Proxy Authentication Required", e.Proxy)
}

// WriteError: writing the partial file failed (a full disk, a disk error),
// which is not the network's fault. The bytes written so far are kept for
// a resume.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string {
	if isDiskFull(e.Err) {
		return fmt.Sprintf("writing %s: the disk is full (%v)", e.Path, e.Err)
	}
	return fmt.Sprintf("writing %s: %v", e.Path, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

// Is lets errors.Is match ErrNoSpace for a full disk.
func (e *WriteError) Is(target error) bool { return target == ErrNoSpace && isDiskFull(e.Err) }

// EncodingError: the server compressed the response (Content-Encoding)
// although none was asked for, so the bytes received are not the file and
// do not match its checksum. Nothing is left behind.
type EncodingError struct {
	URL, Encoding string
}

func (e *EncodingError) Error() string {
	return fmt.Sprintf("%s: the server compressed the file (Content-Encoding %s) although Onramp asked for it as is; the bytes received are not the file listed and were discarded", e.URL, e.Encoding)
}

// InterruptedError: the caller's context ended the transfer (Ctrl-C, a
// cancel, a pause). Kept bytes stay in Part for the next Fetch to resume
// from. errors.Is(err, context.Canceled) holds.
type InterruptedError struct {
	URL, Part string
	Kept      int64 // bytes in Part
	Err       error // the context's error
}

func (e *InterruptedError) Error() string {
	if e.Kept > 0 {
		return fmt.Sprintf("%s: the download was interrupted; the %d bytes received are kept in %s", e.URL, e.Kept, e.Part)
	}
	return fmt.Sprintf("%s: the download was interrupted before any byte was received", e.URL)
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// ErrUnsupportedSource: the URL names a kind of source this build does
// not fetch.
var ErrUnsupportedSource = errors.New("unsupported source")

// UnsupportedSourceError: the URL is neither http(s) nor a local file, and
// this build has no object-store sources (s3, gcs and go-getter's other URL
// forms come with the build tag cloudsources).
type UnsupportedSourceError struct {
	URL string
}

func (e *UnsupportedSourceError) Error() string {
	return fmt.Sprintf("%s: this assistant fetches http, https and file URLs only (s3, gcs and other sources need a build with -tags cloudsources)", e.URL)
}

// Is lets errors.Is match ErrUnsupportedSource.
func (e *UnsupportedSourceError) Is(target error) bool { return target == ErrUnsupportedSource }

// ErrBlockedAddress: the URL's host is, or resolves to, an address no
// package comes from: link-local (where cloud metadata services answer,
// handing out the machine's credentials), unspecified, multicast or
// broadcast.
var ErrBlockedAddress = errors.New("address refused: link-local, metadata, unspecified, multicast and broadcast addresses are never dialled for a package")

// BlockedAddressError names the address refused. Retrying cannot help.
type BlockedAddressError struct {
	Addr string // the IP address
}

func (e *BlockedAddressError) Error() string {
	return fmt.Sprintf("%s: %v", e.Addr, ErrBlockedAddress)
}

// Is lets errors.Is match ErrBlockedAddress.
func (e *BlockedAddressError) Is(target error) bool { return target == ErrBlockedAddress }

// ErrStalled: no byte arrived for the stall timeout, on every attempt
// left.
var ErrStalled = errors.New("the server stopped sending")

// StallError: the connection stayed open but no byte (or no response)
// came for After. The bytes received so far are kept for a resume.
type StallError struct {
	URL   string
	After time.Duration
	Done  int64 // bytes of the file on disk when the transfer stalled
}

func (e *StallError) Error() string {
	return fmt.Sprintf("%s: no byte received for %s (after %d bytes): the server stopped sending", e.URL, e.After, e.Done)
}

// Is lets errors.Is match ErrStalled.
func (e *StallError) Is(target error) bool { return target == ErrStalled }
