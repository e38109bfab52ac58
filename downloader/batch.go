package downloader

import (
	"context"
	"errors"
	"sync"
)

// FetchAll fetches several files, at most parallel at a time (default 3).
// Every request is tried; the results are in request order, nil where that
// request failed, and the error joins every failure.
func (c *Client) FetchAll(ctx context.Context, reqs []Request, parallel int) ([]*Result, error) {
	if parallel <= 0 {
		parallel = 3
	}
	results := make([]*Result, len(reqs))
	errs := make([]error, len(reqs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			results[i], errs[i] = c.Fetch(ctx, r)
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}
