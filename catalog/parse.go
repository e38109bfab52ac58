package catalog

import (
	"cmp"
	"fmt"
	"maps"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

var (
	vendorNames = []string{"amd", "apple", "intel", "nvidia", "qualcomm"}
)

const maxPackageSize = 1 << 40 // 1 TiB

// Parse reads a catalog's JSON strictly: unknown fields, duplicate keys,
// wrong types, bad values and inconsistent releases are all reported, in one
// *InvalidError that lists every problem with its path and line.
func Parse(data []byte) (*Catalog, error) {
	return parseWith(data, func(w *walker, root *node) *Catalog {
		c := &Catalog{}
		w.object(root, "", map[string]field{
			"schema":    {true, func(n *node, p string) { w.schema(n, p) }},
			"publisher": {true, func(n *node, p string) { c.Publisher = w.text(n, p, 200) }},
			"products": {true, func(n *node, p string) {
				w.array(n, p, func(_ int, item *node, p string) {
					c.Products = append(c.Products, w.product(item, p))
				})
				if n.kind == kindArray && len(n.items) == 0 {
					w.fail(n, p, "want at least one product")
				}
				seen := map[string]bool{}
				for i, prod := range c.Products {
					if prod.ID != "" && seen[prod.ID] {
						w.fail(n.items[i], pathIndex(p, i)+".id", "duplicate product id %q", prod.ID)
					}
					seen[prod.ID] = true
				}
			}},
		})
		return c
	})
}

// RequirementsFile is an IT department's own requirements, in the catalog's
// schema: {"schema": 1, "requirements": {"windows/amd64": {...}}}.
type RequirementsFile struct {
	Requirements map[Platform]Requirements `json:"requirements"`
}

// ParseRequirements reads a requirements file as strictly as Parse.
func ParseRequirements(data []byte) (*RequirementsFile, error) {
	return parseWith(data, func(w *walker, root *node) *RequirementsFile {
		f := &RequirementsFile{}
		w.object(root, "", map[string]field{
			"schema":       {true, func(n *node, p string) { w.schema(n, p) }},
			"requirements": {true, func(n *node, p string) { f.Requirements = w.requirementsMap(n, p) }},
		})
		return f
	})
}

func parseWith[T any](data []byte, read func(*walker, *node) *T) (*T, error) {
	if len(data) > MaxPayloadBytes {
		return nil, &InvalidError{Problems: []Problem{{Line: 1, Column: 1,
			Message: fmt.Sprintf("document is %d bytes, more than the limit of %d", len(data), MaxPayloadBytes)}}}
	}
	root, err := readTree(data)
	if err != nil {
		se := err.(*syntaxError)
		line, col := lineCol(data, se.off)
		return nil, &InvalidError{Problems: []Problem{{Line: line, Column: col, Message: "malformed JSON: " + se.msg}}}
	}
	w := &walker{src: data}
	v := read(w, root)
	if len(w.problems) > 0 {
		slices.SortStableFunc(w.problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, &InvalidError{Problems: w.problems}
	}
	return v, nil
}

func (w *walker) schema(n *node, p string) {
	if v := w.integer(n, p, 0, 1<<31); v != SchemaVersion && n.kind == kindNumber {
		w.fail(n, p, "want schema %d, found %s (this assistant reads schema %d only; update it to read newer catalogs)", SchemaVersion, n.str, SchemaVersion)
	}
}

func (w *walker) product(n *node, p string) Product {
	var prod Product
	w.object(n, p, map[string]field{
		"id": {true, func(n *node, p string) {
			if s, ok := w.str(n, p); ok {
				if !IsProductID(s) {
					w.fail(n, p, "want an id of lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters; found %q", s)
				}
				prod.ID = s
			}
		}},
		"name":        {true, func(n *node, p string) { prod.Name = w.text(n, p, 200) }},
		"description": {true, func(n *node, p string) { prod.Description = w.text(n, p, 4000) }},
		"releases": {true, func(n *node, p string) {
			w.array(n, p, func(_ int, item *node, p string) {
				prod.Releases = append(prod.Releases, w.release(item, p))
			})
			if n.kind == kindArray && len(n.items) == 0 {
				w.fail(n, p, "want at least one release")
			}
			for i := range prod.Releases {
				for j := range i {
					if !prod.Releases[i].Version.IsZero() && prod.Releases[i].Version.Compare(prod.Releases[j].Version) == 0 {
						w.fail(n.items[i], pathIndex(p, i)+".version", "version %s is listed twice (also at %s)", prod.Releases[i].Version, pathIndex(p, j))
					}
				}
			}
			slices.SortStableFunc(prod.Releases, func(a, b Release) int { return b.Version.Compare(a.Version) })
		}},
	})
	return prod
}

func (w *walker) release(n *node, p string) Release {
	var r Release
	w.object(n, p, map[string]field{
		"version": {true, func(n *node, p string) { r.Version = w.version(n, p) }},
		"date": {true, func(n *node, p string) {
			if s, ok := w.str(n, p); ok {
				d, err := time.Parse(time.DateOnly, s)
				if err != nil {
					w.fail(n, p, "want a date such as \"2026-03-31\", found %q", s)
				}
				r.Date = Date{d}
			}
		}},
		"notes": {false, func(n *node, p string) { r.Notes, _ = w.str(n, p) }},
		"packages": {true, func(n *node, p string) {
			r.Packages = map[Platform]Package{}
			w.members(n, p, func(key string, val *node, p string) {
				if plat, ok := w.platform(val, p, key); ok {
					r.Packages[plat] = w.pkg(val, p)
				}
			})
			if n.kind == kindObject && len(n.members) == 0 {
				w.fail(n, p, "want a package for at least one platform (%s)", joinPlatforms())
			}
		}},
		"requirements": {false, func(n *node, p string) {
			r.Requirements = w.requirementsMap(n, p)
			for plat := range r.Requirements {
				if _, ok := r.Packages[plat]; !ok && r.Packages != nil {
					w.fail(n.get(string(plat)), pathKey(p, string(plat)), "requirements for %s, which has no package in this release", plat)
				}
			}
		}},
	})
	return r
}

func (w *walker) platform(n *node, p, key string) (Platform, bool) {
	if !slices.Contains(Platforms, Platform(key)) {
		w.fail(n, p, "unknown platform %q (known: %s)", key, joinPlatforms())
		return "", false
	}
	return Platform(key), true
}

func (w *walker) pkg(n *node, p string) Package {
	var pk Package
	w.object(n, p, map[string]field{
		"url":  {true, func(n *node, p string) { pk.URL = w.packageURL(n, p) }},
		"size": {true, func(n *node, p string) { pk.Size = w.integer(n, p, 1, maxPackageSize) }},
		"sha256": {true, func(n *node, p string) {
			if s, ok := w.str(n, p); ok {
				if !IsSHA256Hex(s) {
					w.fail(n, p, "want 64 hex digits, found %d characters", len(s))
				}
				pk.SHA256 = strings.ToLower(s)
			}
		}},
		"format": {true, func(n *node, p string) {
			if s, ok := w.str(n, p); ok {
				if !slices.Contains(Formats, Format(s)) {
					w.fail(n, p, "want one of zip, tar.gz, msi, pkg, dmg; found %q", s)
				}
				pk.Format = Format(s)
			}
		}},
		"install": {false, func(n *node, p string) { pk.Install = w.recipe(n, p) }},
	})
	return pk
}

func (w *walker) packageURL(n *node, p string) string {
	s, ok := w.str(n, p)
	if !ok {
		return ""
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || s == "":
		w.fail(n, p, "want a URL, found %q", s)
	case u.Scheme == "" && u.Host == "":
		// Relative to the catalog's own address.
		if strings.HasPrefix(u.Path, "/") && strings.HasPrefix(u.Path, "//") {
			w.fail(n, p, "want an absolute URL or a relative path, found %q", s)
		}
	case u.Scheme == "https" && u.Host != "":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		w.fail(n, p, "want https (plain http is allowed only on a loopback address), found %q", s)
	default:
		w.fail(n, p, "want an https URL or a relative path, found %q", s)
	}
	return s
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (w *walker) recipe(n *node, p string) Recipe {
	var r Recipe
	codes := func(dst *[]int) func(*node, string) {
		return func(n *node, p string) {
			w.array(n, p, func(_ int, item *node, p string) {
				*dst = append(*dst, int(w.integer(item, p, -1<<31, 1<<32-1)))
			})
		}
	}
	w.object(n, p, map[string]field{
		"silent_args": {false, func(n *node, p string) {
			w.strings(n, p, func(s string, _ *node, _ string) { r.SilentArgs = append(r.SilentArgs, s) })
		}},
		"success_codes": {false, codes(&r.SuccessCodes)},
		"reboot_codes":  {false, codes(&r.RebootCodes)},
		"launch": {false, func(n *node, p string) {
			if s, ok := w.str(n, p); ok {
				if s == "" || path.IsAbs(s) || strings.Contains(s, `\`) || path.Clean(s) != s || s == ".." || strings.HasPrefix(s, "../") {
					w.fail(n, p, "want a clean relative path inside the install folder, with '/' separators; found %q", s)
				}
				r.Launch = s
			}
		}},
	})
	for _, c := range r.RebootCodes {
		if slices.Contains(r.SuccessCodes, c) {
			w.fail(n, p+".reboot_codes", "exit code %d is both a success code and a reboot code", c)
		}
	}
	return r
}

func (w *walker) version(n *node, p string) Version {
	s, ok := w.str(n, p)
	if !ok {
		return Version{}
	}
	v, err := ParseVersion(s)
	if err != nil {
		w.fail(n, p, "%v", err)
	}
	return v
}

func (w *walker) size(n *node, p string) ByteSize {
	if n.kind == kindNumber {
		w.fail(n, p, "want a size with a unit such as \"8 GiB\", found the bare number %s", n.str)
		return 0
	}
	s, ok := w.str(n, p)
	if !ok {
		return 0
	}
	b, err := ParseByteSize(s)
	if err != nil {
		w.fail(n, p, "%v", err)
	}
	return b
}

func (w *walker) requirementsMap(n *node, p string) map[Platform]Requirements {
	m := map[Platform]Requirements{}
	w.members(n, p, func(key string, val *node, p string) {
		if plat, ok := w.platform(val, p, key); ok {
			m[plat] = w.requirements(val, p)
		}
	})
	return m
}

func (w *walker) requirements(n *node, p string) Requirements {
	var r Requirements
	w.object(n, p, map[string]field{
		"os": {false, func(n *node, p string) {
			w.object(n, p, map[string]field{
				"min_version": {true, func(n *node, p string) { r.OS.MinVersion = w.version(n, p) }},
			})
		}},
		"cpu": {false, func(n *node, p string) {
			w.object(n, p, map[string]field{
				"min_logical_cores": {false, func(n *node, p string) { r.CPU.MinLogicalCores = int(w.integer(n, p, 1, 4096)) }},
				"min_clock": {false, func(n *node, p string) {
					if s, ok := w.str(n, p); ok {
						f, err := ParseFrequency(s)
						if err != nil {
							w.fail(n, p, "%v", err)
						}
						r.CPU.MinClock = f
					}
				}},
				"features": {false, func(n *node, p string) {
					w.strings(n, p, func(s string, n *node, p string) {
						if !isFeature(s) {
							w.fail(n, p, "want a lowercase instruction-set feature such as \"avx2\", found %q", s)
						}
						r.CPU.Features = append(r.CPU.Features, s)
					})
				}},
			})
		}},
		"memory": {false, func(n *node, p string) {
			w.object(n, p, map[string]field{
				"min":         {false, func(n *node, p string) { r.Memory.Min = w.size(n, p) }},
				"recommended": {false, func(n *node, p string) { r.Memory.Recommended = w.size(n, p) }},
			})
			if r.Memory.Recommended != 0 && r.Memory.Recommended < r.Memory.Min {
				w.fail(n, p+".recommended", "recommended (%s) is less than the minimum (%s)", r.Memory.Recommended, r.Memory.Min)
			}
		}},
		"disk": {false, func(n *node, p string) {
			w.object(n, p, map[string]field{
				"install":  {false, func(n *node, p string) { r.Disk.Install = w.size(n, p) }},
				"download": {false, func(n *node, p string) { r.Disk.Download = w.size(n, p) }},
				"staging":  {false, func(n *node, p string) { r.Disk.Staging = w.size(n, p) }},
			})
		}},
		"gpu": {false, func(n *node, p string) {
			w.object(n, p, map[string]field{
				"min_vram":         {false, func(n *node, p string) { r.GPU.MinVRAM = w.size(n, p) }},
				"recommended_vram": {false, func(n *node, p string) { r.GPU.RecommendedVRAM = w.size(n, p) }},
				"vendors": {false, func(n *node, p string) {
					w.strings(n, p, func(s string, n *node, p string) {
						if w.vendor(n, p, s) {
							r.GPU.Vendors = append(r.GPU.Vendors, s)
						}
					})
				}},
				"certified_models": {false, func(n *node, p string) {
					w.strings(n, p, func(s string, n *node, p string) {
						if strings.TrimSpace(s) == "" {
							w.fail(n, p, "want a model name, found an empty string")
						}
						r.GPU.CertifiedModels = append(r.GPU.CertifiedModels, s)
					})
				}},
				"min_driver": {false, func(n *node, p string) {
					r.GPU.MinDriver = map[string]Version{}
					w.members(n, p, func(key string, val *node, p string) {
						if w.vendor(val, p, key) {
							r.GPU.MinDriver[key] = w.version(val, p)
						}
					})
				}},
			})
			if r.GPU.RecommendedVRAM != 0 && r.GPU.RecommendedVRAM < r.GPU.MinVRAM {
				w.fail(n, p+".recommended_vram", "recommended (%s) is less than the minimum (%s)", r.GPU.RecommendedVRAM, r.GPU.MinVRAM)
			}
		}},
		"display": {false, func(n *node, p string) {
			w.object(n, p, map[string]field{
				"min_resolution": {false, func(n *node, p string) {
					if s, ok := w.str(n, p); ok {
						res, err := ParseResolution(s)
						if err != nil {
							w.fail(n, p, "%v", err)
						}
						r.Display.MinResolution = res
					}
				}},
			})
		}},
	})
	return r
}

func (w *walker) vendor(n *node, p, s string) bool {
	if !slices.Contains(vendorNames, s) {
		w.fail(n, p, "want a GPU vendor among %s; found %q", strings.Join(vendorNames, ", "), s)
		return false
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.SortedFunc(maps.Keys(m), cmp.Compare[string])
}
