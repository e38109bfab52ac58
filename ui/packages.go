package ui

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"onramp.dev/onramp/downloader"
)

// downloads is the downloader the window uses: the package cache and the
// rate cap of the Config.
func (a *Assistant) downloads(progress func(downloader.Progress)) (*downloader.Client, error) {
	return downloader.New(downloader.Options{CacheDir: filepath.Join(a.cfg.CacheDir, "by-hash"), RateLimit: a.cfg.RateLimit, Progress: progress})
}

// packageRequest asks the account service for one of the catalog's
// packages: its URL resolved against the service, with a current access
// token.
func (a *Assistant) packageRequest(ctx context.Context, rawURL, sha256 string, size int64, dest string) (downloader.Request, error) {
	header, err := a.cfg.Client.DownloadHeader(ctx)
	if err != nil {
		return downloader.Request{}, err
	}
	base, err := url.Parse(a.cfg.Client.PackageBase())
	if err != nil {
		return downloader.Request{}, err
	}
	ref, err := url.Parse(rawURL)
	if err != nil {
		return downloader.Request{}, fmt.Errorf("package URL %q: %w", rawURL, err)
	}
	return downloader.Request{URL: base.ResolveReference(ref).String(), SHA256: sha256, Size: size, Dest: dest, Header: header}, nil
}
