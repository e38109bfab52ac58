package main

import (
	"flag"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
)

// catalogSource is where the commands that read products get their
// catalog: a signed file, or the demo's, and the address that relative
// package URLs are resolved against.
type catalogSource struct {
	file string
	base string
	keys keyFiles
	// signed is the envelope load verified, kept for deployment folders.
	signed []byte
}

// register adds --catalog and --key; withBase also adds --base, for the
// commands that download.
func (s *catalogSource) register(fs *flag.FlagSet, withBase bool) {
	fs.StringVar(&s.file, "catalog", "", "signed catalog `FILE` (default with --demo: the demo catalog)")
	fs.Var(&s.keys, "key", "also trust the public key in `FILE` (repeatable)")
	if withBase {
		fs.StringVar(&s.base, "base", "", "`URL` that relative package URLs are resolved against")
	}
}

// load opens and verifies the catalog.
func (s *catalogSource) load(e *env) (*catalog.Catalog, error) {
	var data []byte
	switch {
	case s.file != "":
		var err error
		if data, err = readLimited(s.file, catalog.MaxEnvelopeBytes); err != nil {
			return nil, err
		}
	case e.demo:
		data = assets.DemoSignedCatalog()
	default:
		return nil, usagef("no catalog: pass --catalog FILE, or --demo for the demo catalog")
	}
	c, err := openCatalog(e, data, s.keys)
	if err != nil {
		return nil, err
	}
	s.signed = data
	return c, nil
}

// packages opens the catalog and returns the base for its relative
// package URLs: --base, or with the demo's catalog the embedded demo
// package server, which stop shuts down.
func (s *catalogSource) packages(e *env) (c *catalog.Catalog, base string, stop func(), err error) {
	if c, err = s.load(e); err != nil {
		return nil, "", nil, err
	}
	if s.base != "" || !e.demo || s.file != "" {
		return c, s.base, func() {}, nil
	}
	srv, err := startDemoPackageServer()
	if err != nil {
		return nil, "", nil, err
	}
	return c, srv.URL + "/", srv.Close, nil
}
