package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/internal/atomicfile"
)

func catalogCommand() *command {
	return &command{
		name:    "catalog",
		args:    "check|show|sign|keygen",
		summary: "verify, list, sign product catalogs",
		sub:     []*command{catalogCheckCommand(), catalogShowCommand(), catalogSignCommand(), catalogKeygenCommand()},
	}
}

// keyFiles collects repeated --key flags.
type keyFiles = multiFlag

// checkProblem is one line of a catalog check; checkResult all of it.
type (
	checkProblem = jsonout.CatalogProblem
	checkResult  = jsonout.CatalogCheck
)

func catalogCheckCommand() *command {
	var keys keyFiles
	return &command{
		name:    "check",
		args:    "FILE",
		summary: "verify a signed catalog and list every problem in it",
		help: `Checks the envelope (format, signature by a trusted key, expiry) and the
catalog inside it (schema, values, consistency), and prints every problem at
once. Trusted keys: trusted_keys in the configuration, each --key file
("ed25519:BASE64" or a PEM public key), and the demo key with --demo.
Exit 0 when the catalog is valid, 4 when its signature, expiry or envelope
is refused, 1 when only its content is invalid.`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet) {
			fs.Var(&keys, "key", "also trust the public key in `FILE` (repeatable)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			data, err := readLimited(args[0], catalog.MaxEnvelopeBytes)
			if err != nil {
				return err
			}
			if _, err := e.trust(keys...).Keyring(); err != nil {
				return err // a configuration problem, not the catalog's
			}
			res := checkCatalog(e, keys, args[0], data)
			e.out.result(res, func(w io.Writer) { printCheck(w, res) })
			for _, p := range res.Problems {
				if p.Kind == "integrity" {
					return &exitError{exitIntegrity, errReported}
				}
			}
			if !res.OK {
				return &exitError{exitFailed, errReported}
			}
			return nil
		},
	}
}

func checkCatalog(e *env, keys []string, name string, data []byte) *checkResult {
	res := &checkResult{File: name, Problems: []checkProblem{}}
	payload := data
	v, err := e.openSigned(data, keys, false)
	if err != nil {
		kind := "integrity"
		if !catalog.IsIntegrity(err) {
			kind = "history"
		}
		res.Problems = append(res.Problems, checkProblem{Kind: kind, Message: err.Error()})
		// Still look at the content, so the publisher sees everything at once.
		if env, err := catalog.ReadEnvelope(data); err == nil {
			payload = env.Payload
		}
	} else {
		payload = v.Payload
		res.KeyID, res.Issued, res.Expires = v.KeyID, &v.Issued, &v.Expires
	}
	c, err := catalog.Parse(payload)
	var inv *catalog.InvalidError
	switch {
	case errors.As(err, &inv):
		for _, p := range inv.Problems {
			res.Problems = append(res.Problems, checkProblem{Kind: "schema", Path: p.Path, Line: p.Line, Column: p.Column, Message: p.Message})
		}
	case err != nil:
		res.Problems = append(res.Problems, checkProblem{Kind: "schema", Message: err.Error()})
	default:
		res.Publisher = c.Publisher
		res.Products = len(c.Products)
		for _, p := range c.Products {
			res.Releases += len(p.Releases)
			for _, r := range p.Releases {
				res.Packages += len(r.Packages)
			}
		}
	}
	res.OK = len(res.Problems) == 0
	return res
}

func printCheck(w io.Writer, r *checkResult) {
	if r.OK {
		fmt.Fprintf(w, "%s: valid\n", r.File)
		left := time.Until(*r.Expires).Round(time.Hour)
		fmt.Fprintf(w, "  signed by key %s on %s; expires %s (in %d days)\n",
			r.KeyID, r.Issued.Format(time.DateOnly), r.Expires.Format(time.DateOnly), int(left.Hours()/24))
		fmt.Fprintf(w, "  publisher %q: %d products, %d releases, %d packages\n", r.Publisher, r.Products, r.Releases, r.Packages)
		return
	}
	fmt.Fprintf(w, "%s: refused, %d problem(s)\n", r.File, len(r.Problems))
	for _, p := range r.Problems {
		switch {
		case p.Kind == "integrity":
			fmt.Fprintf(w, "  signature: %s\n", termSafe(p.Message))
		case p.Kind == "history":
			fmt.Fprintf(w, "  %s\n", termSafe(p.Message))
		case p.Path != "":
			fmt.Fprintf(w, "  %s (line %d): %s\n", termSafe(p.Path), p.Line, termSafe(p.Message))
		default:
			fmt.Fprintf(w, "  line %d, column %d: %s\n", p.Line, p.Column, termSafe(p.Message))
		}
	}
}

func catalogShowCommand() *command {
	var keys keyFiles
	return &command{
		name:    "show",
		args:    "[FILE]",
		summary: "list the products and releases of a signed catalog",
		help:    "Without FILE and with --demo, shows the embedded demo catalog.",
		nargs:   [2]int{0, 1},
		flags: func(fs *flag.FlagSet) {
			fs.Var(&keys, "key", "also trust the public key in `FILE` (repeatable)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			var data []byte
			switch {
			case len(args) == 1:
				var err error
				if data, err = readLimited(args[0], catalog.MaxEnvelopeBytes); err != nil {
					return err
				}
			case e.demo:
				data = assets.DemoSignedCatalog()
			default:
				return usagef("name a catalog FILE, or pass --demo for the demo catalog")
			}
			c, err := openCatalog(e, data, keys)
			if err != nil {
				return err
			}
			e.out.result((*jsonout.CatalogShow)(c), func(w io.Writer) { printCatalog(w, c) })
			return nil
		},
	}
}

// openCatalog verifies a signed catalog against this run's keys and parses it.
func openCatalog(e *env, data []byte, keys []string) (*catalog.Catalog, error) {
	v, err := e.openSigned(data, keys, false)
	if err != nil {
		return nil, err
	}
	return catalog.Parse(v.Payload)
}

func printCatalog(w io.Writer, c *catalog.Catalog) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "PRODUCT\tNAME\tLATEST\tRELEASES\tTHIS PLATFORM (%s)\n", catalog.CurrentPlatform())
	for _, p := range c.Products {
		latest := p.Latest()
		var versions []string
		for _, r := range p.Releases {
			versions = append(versions, r.Version.String())
		}
		here := "no package"
		if pkg, ok := latest.Packages[catalog.CurrentPlatform()]; ok {
			here = fmt.Sprintf("%s, %s", pkg.Format, catalog.ByteSize(pkg.Size))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", termSafe(p.ID), termSafe(p.Name), latest.Version, strings.Join(termSafeList(versions), ", "), here)
	}
	tw.Flush()
}

func catalogSignCommand() *command {
	var keyFile, out, validity string
	return &command{
		name:    "sign",
		args:    "--key FILE CATALOG.json",
		summary: "sign a catalog for publishing",
		help: `Checks CATALOG.json strictly, then writes it in a signed envelope. The
private key is read from a file (PEM, PKCS #8), never from the command line.
Repeat --key to sign with several keys while rotating them.`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&keyFile, "key", "", "private key `FILE` (PEM); required")
			fs.StringVar(&out, "out", "", "write the signed catalog to `FILE` (default: standard output)")
			fs.StringVar(&validity, "valid-for", "90d", "how long the signed catalog stays valid (`DURATION`: 90d, 36h)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if keyFile == "" {
				return usagef("--key PRIVATE_KEY_FILE is required")
			}
			ttl, err := parseDays(validity)
			if err != nil {
				return usagef("--valid-for: %v", err)
			}
			priv, err := readPrivateKey(e, keyFile)
			if err != nil {
				return err
			}
			payload, err := readLimited(args[0], catalog.MaxPayloadBytes)
			if err != nil {
				return err
			}
			signed, err := catalog.Sign(payload, time.Now(), ttl, priv)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if out == "" {
				_, err := e.stdout.Write(signed)
				return err
			}
			if err := atomicfile.WriteFile(out, signed, 0o644); err != nil {
				return err
			}
			keyID := catalog.KeyID(priv.Public().(ed25519PublicKey))
			e.out.result(jsonout.CatalogSigned{Out: out, KeyID: keyID, ValidForHours: ttl.Hours()}, func(w io.Writer) {
				fmt.Fprintf(w, "signed %s with key %s, valid for %s: %s\n", args[0], keyID, validity, out)
			})
			return nil
		},
	}
}

func catalogKeygenCommand() *command {
	var out string
	return &command{
		name:    "keygen",
		args:    "--out PRIVATE_KEY_FILE",
		summary: "make a new catalog signing key",
		help: `Writes a new ed25519 private key to PRIVATE_KEY_FILE (mode 0600, never
overwritten) and its public key to PRIVATE_KEY_FILE.pub; prints the public
key to add to assistants' trusted_keys.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "private key `FILE` to create; required")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if out == "" {
				return usagef("--out PRIVATE_KEY_FILE is required")
			}
			pub, priv, err := generateKey()
			if err != nil {
				return err
			}
			pemKey, err := catalog.MarshalPrivateKey(priv)
			if err != nil {
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("keygen: %w", err)
			}
			if _, err := f.Write(pemKey); err != nil {
				f.Close()
				os.Remove(out)
				return fmt.Errorf("keygen: %w", err)
			}
			if err := f.Close(); err != nil {
				os.Remove(out)
				return fmt.Errorf("keygen: %w", err)
			}
			pubText := catalog.FormatPublicKey(pub)
			if err := atomicfile.WriteFile(out+".pub", []byte(pubText+"\n"), 0o644); err != nil {
				return err
			}
			e.out.result(jsonout.CatalogKey{PrivateKeyFile: out, PublicKey: pubText, KeyID: catalog.KeyID(pub)}, func(w io.Writer) {
				fmt.Fprintf(w, "private key: %s (keep it secret)\npublic key:  %s\nkey id:      %s\n", out, pubText, catalog.KeyID(pub))
			})
			return nil
		},
	}
}

// readPrivateKey reads a signing key, warning when other users can read it.
func readPrivateKey(e *env, path string) (ed25519PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.stderr, "warning: private key %s can be read by other users (mode %v); chmod 600 it\n", path, st.Mode().Perm())
	}
	data, err := readLimited(path, 64<<10)
	if err != nil {
		return nil, err
	}
	k, err := catalog.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// parseDays reads a duration that may be given in days: "90d", or Go's "36h".
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 || n > 3650 {
			return 0, fmt.Errorf("want a number of days from 1 to 3650, found %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur <= 0 {
		return 0, fmt.Errorf("want a duration such as 90d or 36h, found %q", s)
	}
	return dur, nil
}

// readLimited reads a file, refusing one larger than limit before reading it.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than the limit of %s", path, catalog.ByteSize(limit))
	}
	return data, nil
}
