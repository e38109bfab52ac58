package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/internal/atomicfile"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/syscheck"
)

func checkCommand() *command {
	var product, reqFile, target, cache, htmlOut string
	var src sourceFlags
	return &command{
		name:    "check",
		args:    "(--product ID[@VER] | --requirements FILE) [--target DIR]",
		summary: "check this machine against a product's requirements",
		help: `Gathers this machine's facts (OS, CPU, RAM, free disk on the target's and the
download cache's volumes, GPUs, display) and judges them against a release's
requirements from the signed catalog (--product) or against an IT
requirements file in the catalog's schema (--requirements).
Each item is pass, warn (below the recommendation), fail, or unknown (the
figure could not be read: check it by hand). Exit 0 when nothing fails,
3 when anything does.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&product, "product", "", "product `ID` or ID@VERSION from the catalog (newest release by default)")
			fs.StringVar(&reqFile, "requirements", "", "requirements `FILE` (JSON, the catalog's schema)")
			fs.StringVar(&target, "target", "", "install `folder` whose volume must hold the install (default: the per-user install folder)")
			fs.StringVar(&cache, "cache", "", "download cache `folder` (default: the user's cache folder)")
			fs.StringVar(&htmlOut, "html", "", "also write the report as HTML to `FILE`")
			src.register(fs, false)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if (product == "") == (reqFile == "") {
				return usagef("give one of --product ID[@VER] or --requirements FILE")
			}
			if cache == "" {
				cache = setup.DefaultCacheDir()
			}
			var subject string
			var rep *syscheck.Report
			if product != "" {
				s, closeSrc, err := src.core(ctx, e, setup.Options{CacheDir: cache}, true)
				if err != nil {
					return err
				}
				defer closeSrc()
				rel, r, err := s.Check(ctx, product, target)
				if err != nil {
					return err
				}
				subject, rep = fmt.Sprintf("%s %s", rel.Product.Name, rel.Release.Version), r
				if target == "" {
					target = s.DefaultTarget(rel.Product.ID)
				}
			} else {
				rf, err := loadRequirements(reqFile)
				if err != nil {
					return err
				}
				if target == "" {
					target = installer.DefaultUserTarget()
				}
				facts, err := syscheck.Gather(ctx, syscheck.Options{Target: target, Cache: cache})
				if err != nil {
					return err
				}
				subject, rep = reqFile, syscheck.Evaluate(facts, rf.Requirements, nil)
			}
			out := newCheckOutput(subject, target, cache, rep)
			if htmlOut != "" {
				if err := writeHTMLReport(htmlOut, out); err != nil {
					return err
				}
			}
			e.out.result(out, func(w io.Writer) {
				printReport(w, out)
				if htmlOut != "" {
					fmt.Fprintf(w, "HTML report: %s\n", htmlOut)
				}
			})
			if rep.Failed() {
				return &exitError{exitRequirements, errReported}
			}
			return nil
		},
	}
}

// loadRequirements reads an IT requirements file.
func loadRequirements(reqFile string) (*catalog.RequirementsFile, error) {
	data, err := readLimited(reqFile, catalog.MaxPayloadBytes)
	if err != nil {
		return nil, err
	}
	rf, err := catalog.ParseRequirements(data)
	var inv *catalog.InvalidError
	if errors.As(err, &inv) {
		inv.Source = reqFile
	}
	return rf, err
}

// checkOutput is the report as the CLI shows it, fixes in words.
type (
	checkOutput = jsonout.Check
	checkItem   = jsonout.CheckItem
)

func newCheckOutput(subject, target, cache string, rep *syscheck.Report) *checkOutput {
	host, _ := os.Hostname()
	out := &checkOutput{Subject: subject, Host: host, Time: time.Now().UTC().Truncate(time.Second), Target: target, Cache: cache,
		Status: rep.Status, Platform: rep.Platform, Facts: rep.Facts}
	for _, it := range rep.Items {
		out.Items = append(out.Items, checkItem{Item: it, Advice: adviceText(it.Fix)})
	}
	return out
}

// fixTexts put the report's fix codes into English; the GUI has its own
// translated copies.
var fixTexts = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"wrong-platform":       "There is no package for {found}; this release is made for {available}.",
		"upgrade-os":           "Update the operating system to version {need} or later (this machine runs {found}).",
		"more-cores":           "Use a machine with at least {need} logical processor cores.",
		"faster-cpu":           "Use a machine whose processor runs at {need} or faster.",
		"cpu-features":         "The processor lacks {missing}; use a newer machine.",
		"add-ram":              "Add memory: the product needs at least {need} of RAM.",
		"add-ram-recommended":  "The product runs, but {recommended} of RAM is recommended for good performance.",
		"free-disk":            "Free {short} on {volume}, or choose a target folder on another volume (needs {need} in all for {folder}).",
		"gpu-none":             "The product needs a graphics card, and this machine shows none to the operating system.",
		"gpu-vendor":           "Use a machine with a graphics card from {vendors}.",
		"gpu-vram":             "Use a graphics card with at least {need} of video memory.",
		"gpu-vram-recommended": "The product runs, but a graphics card with {recommended} of video memory is recommended.",
		"gpu-driver":           "Update the {vendor} graphics driver to version {need} or later.",
		"gpu-uncertified":      "This graphics card is not among those certified ({models}); the product may run, without support.",
		"display-resolution":   "Use a display of at least {need}.",
		"check-by-hand":        "This could not be checked automatically ({reason}); check it by hand.",
	}
})

func adviceText(f *syscheck.Fix) string {
	if f == nil {
		return ""
	}
	text, ok := fixTexts()[f.Code]
	if !ok {
		text = f.Code
	}
	keys := make([]string, 0, len(f.Args))
	for k := range f.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		text = strings.ReplaceAll(text, "{"+k+"}", f.Args[k])
	}
	return text
}

func printReport(w io.Writer, out *checkOutput) {
	fmt.Fprintf(w, "Checking %s on %s (%s)\n", out.Subject, out.Host, out.Platform)
	fmt.Fprintf(w, "  target %s, download cache %s\n\n", out.Target, out.Cache)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tREQUIRED\tRECOMMENDED\tFOUND\tSTATUS")
	for _, it := range out.Items {
		status := string(it.Status)
		if it.Status == syscheck.Fail {
			status = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.ID, dash(it.Required), dash(it.Recommended), it.Found, status)
	}
	tw.Flush()
	var advice []checkItem
	for _, it := range out.Items {
		if it.Advice != "" {
			advice = append(advice, it)
		}
	}
	if len(advice) > 0 {
		fmt.Fprintln(w, "\nWhat to do:")
		for _, it := range advice {
			fmt.Fprintf(w, "  %s (%s): %s\n", it.ID, it.Status, it.Advice)
			fmt.Fprintf(w, "      evidence: %s\n", it.Evidence)
		}
	}
	fmt.Fprintln(w)
	switch out.Status {
	case syscheck.Fail:
		fmt.Fprintln(w, "Result: this machine does not meet the requirements.")
	case syscheck.Unknown:
		fmt.Fprintln(w, "Result: no requirement fails, but some could not be checked; see above.")
	case syscheck.Warn:
		fmt.Fprintln(w, "Result: this machine meets the minimum requirements, not all recommendations.")
	default:
		fmt.Fprintln(w, "Result: this machine meets every requirement.")
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// htmlReport is the check's report as an HTML page; every value in it is
// escaped (they come from the catalog, the OS and probes) for element
// content and quoted attribute values, as html/template escapes there.
// The report is written by hand rather than with html/template:
// text/template calls methods by name through reflection, which makes the
// linker keep every exported method of every type in the program (1.8 MB
// of a 12 MB binary, read from disk at every start).
func htmlReport(out *checkOutput) string {
	var b strings.Builder
	e := strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;").Replace
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	title := e(out.Subject) + " on " + e(out.Host)
	w(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Onramp check: `, title, `</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.pass{color:#16794c}.warn{color:#9a6700}.fail{color:#b42318;font-weight:bold}.unknown{color:#555}
small{color:#555}
</style></head><body>
<h1>`, title, `</h1>
<p>Result: <span class="`, e(string(out.Status)), `">`, e(string(out.Status)), `</span>. Platform `, e(out.Platform),
		`; checked `, e(out.Time.Format("2006-01-02 15:04 MST")), `.<br>
Target `, e(out.Target), `; download cache `, e(out.Cache), `.</p>
<table><tr><th>Item</th><th>Required</th><th>Recommended</th><th>Found</th><th>Status</th><th>What to do</th></tr>
`)
	for _, it := range out.Items {
		w(`<tr><td>`, e(it.ID), `</td><td>`, e(dash(it.Required)), `</td><td>`, e(dash(it.Recommended)), `</td><td>`, e(it.Found),
			`<br><small>`, e(it.Evidence), `</small></td>
<td class="`, e(string(it.Status)), `">`, e(string(it.Status)), `</td><td>`, e(it.Advice), `</td></tr>
`)
	}
	w(`</table>
<h2>Machine</h2>
`)
	f := out.Facts
	if f == nil {
		f = &syscheck.Facts{}
	}
	w(`<p>`, e(f.OS.Product), ` `, e(f.OS.Version), ` (`, e(f.OS.Build), `); `, e(f.CPU.Model), `, `, strconv.Itoa(f.CPU.LogicalCores), ` logical cores.</p>
<ul>`)
	for _, g := range f.GPUs {
		w(`<li>GPU: `, e(g.Model), ` (`, e(g.Vendor))
		if g.Integrated {
			w(`, integrated`)
		}
		w(`) <small>`, e(g.Source), `</small></li>`)
	}
	if len(f.GPUs) == 0 {
		w(`<li>No GPU found.</li>`)
	}
	w("\n")
	for _, k := range slices.Sorted(maps.Keys(f.Unknown)) {
		w(`<li>Unknown `, e(k), `: `, e(f.Unknown[k]), `</li>`)
	}
	w(`</ul>
</body></html>
`)
	return b.String()
}

func writeHTMLReport(path string, out *checkOutput) error {
	return atomicfile.WriteFile(path, []byte(htmlReport(out)), 0o644)
}
