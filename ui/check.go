package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/syscheck"
)

// checkScreen judges this computer against a release's requirements: one
// row per requirement, pass, warn, unknown or fail, with what was found,
// where it was read, and what to do.
type checkScreen struct {
	a        *Assistant
	product  *catalog.Product
	release  *catalog.Release
	target   func() string
	report   *syscheck.Report
	status   *widget.Label
	items    *fyne.Container
	again    *button
	export   *button
	saved    *widget.Label // says where the report went
	saveErr  *errorLabel
	onResult func(*syscheck.Report)
}

func newCheckScreen(a *Assistant, p *catalog.Product, r *catalog.Release, target func() string, onResult func(*syscheck.Report)) *checkScreen {
	s := &checkScreen{a: a, product: p, release: r, target: target, onResult: onResult}
	s.status = wrapped("")
	s.items = container.NewVBox()
	s.again = newButtonWithIcon(lang.L("Check again"), theme.ViewRefreshIcon(), s.run)
	s.export = newButtonWithIcon(lang.L("Export the report…"), theme.DocumentSaveIcon(), s.chooseExport)
	s.export.Disable()
	s.saved, s.saveErr = wrapped(""), newErrorLabel()
	return s
}

func (s *checkScreen) content() fyne.CanvasObject {
	ref := s.product.ID + "@" + s.release.Version.String()
	return container.NewVBox(
		heading(lang.L("1. Check this computer")),
		s.status, s.items,
		container.NewHBox(s.again, s.export, cliButton(s.a, func() string {
			return s.a.cfg.CLI + " check --product " + ref + " --target " + quoteArg(s.target())
		})),
		s.saved, s.saveErr,
	)
}

// run gathers the facts (probes are cut at 5 s) and evaluates them.
func (s *checkScreen) run() {
	s.again.Disable()
	s.status.SetText(lang.L("Checking this computer…"))
	target, ref := s.target(), s.product.ID+"@"+s.release.Version.String()
	core := s.a.core // read on the UI goroutine: sign-out clears it there
	s.a.background(func(ctx context.Context) func() {
		_, rep, err := core.Check(ctx, ref, target)
		return func() {
			s.again.Enable()
			if err != nil {
				s.status.SetText(errorText(err))
				return
			}
			s.show(rep)
		}
	})
}

func (s *checkScreen) show(rep *syscheck.Report) {
	s.report = rep
	s.export.Enable()
	s.items.RemoveAll()
	for _, it := range rep.Items {
		s.items.Add(checkRow(it))
	}
	switch rep.Status {
	case syscheck.Pass:
		s.status.SetText(lang.L("This computer meets every requirement."))
	case syscheck.Warn:
		s.status.SetText(lang.L("This computer meets the requirements, with recommendations below."))
	case syscheck.Unknown:
		s.status.SetText(lang.L("Some requirements could not be checked: see below, and check them by hand."))
	default:
		s.status.SetText(lang.L("This computer does not meet every requirement: see what to do below."))
	}
	if s.onResult != nil {
		s.onResult(rep)
	}
}

func checkRow(it syscheck.Item) fyne.CanvasObject {
	icon := map[syscheck.Status]fyne.Resource{
		syscheck.Pass: theme.ConfirmIcon(), syscheck.Warn: theme.WarningIcon(),
		syscheck.Unknown: theme.QuestionIcon(), syscheck.Fail: theme.ErrorIcon(),
	}[it.Status]
	words := map[syscheck.Status]string{
		syscheck.Pass: lang.L("passes"), syscheck.Warn: lang.L("passes, with a recommendation"),
		syscheck.Unknown: lang.L("unknown"), syscheck.Fail: lang.L("fails"),
	}[it.Status]
	title := widget.NewLabelWithStyle(lang.L("{{.Item}}: {{.Status}}", map[string]any{"Item": itemName(it.ID), "Status": words}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lines := container.NewVBox(title)
	detail := lang.L("Found: {{.Found}}", map[string]any{"Found": foundText(it)})
	if req := requiredText(it); req != "" {
		detail = lang.L("Required: {{.Required}}", map[string]any{"Required": req}) + " · " + detail
	}
	lines.Add(wrapped(detail))
	if ev := evidenceText(it); ev != "" {
		lines.Add(hint(ev))
	}
	if t := fixText(localFix(it)); t != "" {
		fix := wrapped("→ " + t)
		fix.Importance = widget.WarningImportance
		lines.Add(fix)
	}
	return inOrder(nil, nil, widget.NewIcon(icon), nil, lines)
}

func itemName(id string) string {
	names := map[string]string{
		"os": lang.L("Operating system"), "platform": lang.L("Platform"), "cpu.cores": lang.L("Processor cores"),
		"cpu.clock": lang.L("Processor speed"), "cpu.features": lang.L("Processor features"), "memory": lang.L("Memory"),
		"disk": lang.L("Disk space"), "gpu": lang.L("Graphics card"), "gpu.vram": lang.L("Video memory"),
		"gpu.driver": lang.L("Graphics driver"), "display": lang.L("Display"),
	}
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

// fixText puts a fix code into words (syscheck.FixCodes lists them all; a
// test checks each has words here).
func fixText(f *syscheck.Fix) string {
	if f == nil {
		return ""
	}
	texts := map[string]string{
		"wrong-platform":       lang.L("There is no package for {{.found}}; this release is made for {{.available}}.", f.Args),
		"upgrade-os":           lang.L("Update the operating system to version {{.need}} or later (this computer runs {{.found}}).", f.Args),
		"more-cores":           lang.L("Use a computer with at least {{.need}} logical processor cores.", f.Args),
		"faster-cpu":           lang.L("Use a computer whose processor runs at {{.need}} or faster.", f.Args),
		"cpu-features":         lang.L("The processor lacks {{.missing}}; use a newer computer.", f.Args),
		"add-ram":              lang.L("Add memory: the product needs at least {{.need}} of RAM.", f.Args),
		"add-ram-recommended":  lang.L("The product runs, but {{.recommended}} of RAM is recommended for good performance.", f.Args),
		"free-disk":            lang.L("Free {{.short}} on {{.volume}}, or choose a folder on another volume (needs {{.need}} in all for {{.folder}}).", f.Args),
		"gpu-none":             lang.L("The product needs a graphics card, and this computer shows none to the operating system.", f.Args),
		"gpu-vendor":           lang.L("Use a computer with a graphics card from {{.vendors}}.", f.Args),
		"gpu-vram":             lang.L("Use a graphics card with at least {{.need}} of video memory.", f.Args),
		"gpu-vram-recommended": lang.L("The product runs, but a graphics card with {{.recommended}} of video memory is recommended.", f.Args),
		"gpu-driver":           lang.L("Update the {{.vendor}} graphics driver to version {{.need}} or later.", f.Args),
		"gpu-uncertified":      lang.L("This graphics card is not among those certified ({{.models}}); the product may run, without support.", f.Args),
		"display-resolution":   lang.L("Use a display of at least {{.need}}.", f.Args),
		"check-by-hand":        lang.L("This could not be checked automatically ({{.reason}}); check it by hand.", f.Args),
	}
	if t, ok := texts[f.Code]; ok {
		return t
	}
	return f.Code
}

func (s *checkScreen) chooseExport() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		s.saveReport(path)
	}, s.a.win)
	d.SetFileName("onramp-check-" + s.product.ID + ".json")
	d.Show()
}

// saveReport writes the report and says where, or why not.
func (s *checkScreen) saveReport(path string) {
	s.saved.SetText("")
	s.saveErr.SetText("")
	if err := s.exportTo(path); err != nil {
		s.saveErr.SetText(lang.L("The report could not be saved there. Choose another folder."))
		return
	}
	s.saved.SetText(lang.L("Report saved: {{.Path}}", map[string]any{"Path": path}))
}

// exportTo writes the report as JSON, the same document `check --json`
// prints, for support or IT.
func (s *checkScreen) exportTo(path string) error {
	data, err := json.MarshalIndent(s.report, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// figureText is one of an item's figures in its unit, in words.
func figureText(v float64, unit string) string {
	switch unit {
	case "bytes":
		return sizeText(v)
	case "MHz":
		if v >= 1000 {
			return lang.L("{{.N}} GHz", map[string]any{"N": decimalText(v / 1000)})
		}
		return lang.L("{{.N}} MHz", map[string]any{"N": int(v)})
	case "cores":
		return lang.L("{{.N}} logical processors", map[string]any{"N": int(v)})
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// foundText words what was found from the item's figures; names (an OS
// product, a graphics card, a driver version) are shown as they are.
func foundText(it syscheck.Item) string {
	switch {
	case it.Status == syscheck.Unknown:
		return lang.L("unknown")
	case it.Source == "memory-total":
		return lang.L("{{.Size}} installed", map[string]any{"Size": sizeText(it.Figure)})
	case it.Source == "disk-free":
		return lang.L("{{.Size}} free on {{.Volume}}", map[string]any{"Size": sizeText(it.Figure), "Volume": it.Subject})
	case it.Source == "cpu-counts":
		return lang.L("{{.Logical}} logical processors ({{.Physical}} physical cores)", map[string]any{"Logical": int(it.Figure), "Physical": int(it.Figure2)})
	case it.Source == "cpu-info", it.Source == "gpu-vram":
		return figureText(it.Figure, it.Unit)
	case it.Source == "gpu-unified":
		return lang.L("shared memory: up to about {{.Size}} of {{.Total}}", map[string]any{"Size": sizeText(it.Figure), "Total": sizeText(it.Figure2)})
	case it.Source == "display-probe":
		return lang.L("{{.Width}} × {{.Height}} pixels", map[string]any{"Width": int(it.Figure), "Height": int(it.Figure2)})
	case it.Source == "platform":
		return platformName(catalog.Platform(it.Found))
	case it.Source == "cpuid":
		if it.Status == syscheck.Pass {
			return lang.L("every feature required")
		}
		return lang.L("lacks {{.Missing}}", map[string]any{"Missing": strings.TrimPrefix(it.Found, "lacks ")})
	}
	return it.Found
}

// requiredText words the requirement, from its figure when it has one.
func requiredText(it syscheck.Item) string {
	switch {
	case it.Need > 0 && it.Unit != "":
		return figureText(it.Need, it.Unit)
	case it.Source == "display-probe":
		var w, h int
		if _, err := fmt.Sscanf(it.Required, "%dx%d", &w, &h); err == nil {
			return lang.L("{{.Width}} × {{.Height}} pixels", map[string]any{"Width": w, "Height": h})
		}
	case it.Source == "platform":
		var names []string
		for _, p := range strings.Split(it.Required, ", ") {
			names = append(names, platformName(catalog.Platform(p)))
		}
		return strings.Join(names, ", ")
	}
	return it.Required
}

// evidenceText says where a figure was read, by the item's source code;
// tools and volumes are named as they are.
func evidenceText(it syscheck.Item) string {
	data := map[string]any{"Subject": it.Subject}
	switch it.Source {
	case "platform":
		return lang.L("The operating system and processor type of this computer.")
	case "os-info":
		return lang.L("As the operating system reports its version.")
	case "cpu-counts":
		return lang.L("Processors counted by the operating system ({{.Subject}}).", data)
	case "cpu-info":
		return lang.L("The highest clock rate the operating system reports ({{.Subject}}).", data)
	case "cpuid":
		return lang.L("The processor's own list of instruction sets (CPUID).")
	case "memory-total":
		return lang.L("The memory installed, as the operating system reports it.")
	case "disk-free":
		return lang.L("Free space measured on the volume {{.Subject}}, for the install and its download.", data)
	case "gpu-probe":
		if it.Subject == "" {
			return lang.L("The operating system shows no graphics card.")
		}
		return lang.L("Graphics card found by {{.Subject}}.", data)
	case "gpu-vram", "gpu-driver":
		return lang.L("As reported by {{.Subject}}.", data)
	case "gpu-unified":
		return lang.L("Apple silicon graphics have no memory of their own: they share the computer's memory.")
	case "display-probe":
		return lang.L("Resolution read by {{.Subject}}.", data)
	case "not-measured":
		return lang.L("This could not be measured on this computer.")
	}
	return ""
}

// localFix rewrites the fix's figures in the language spoken, from the
// item's numbers (the fix's own arguments are the core's English).
func localFix(it syscheck.Item) *syscheck.Fix {
	if it.Fix == nil {
		return nil
	}
	f := &syscheck.Fix{Code: it.Fix.Code, Args: map[string]string{}}
	for k, v := range it.Fix.Args {
		f.Args[k] = v
	}
	if it.Unit != "" && it.Need > 0 {
		if _, ok := f.Args["need"]; ok {
			f.Args["need"] = figureText(it.Need, it.Unit)
			if it.Unit == "cores" {
				f.Args["need"] = strconv.Itoa(int(it.Need))
			}
		}
	}
	if it.Fix.Code == "free-disk" && it.Figure < it.Need {
		f.Args["short"] = sizeText(it.Need - it.Figure)
	}
	if it.Fix.Code == "wrong-platform" {
		f.Args["found"] = platformName(catalog.Platform(it.Fix.Args["found"]))
		f.Args["available"] = requiredText(it)
	}
	if it.Fix.Code == "display-resolution" {
		f.Args["need"] = requiredText(it)
	}
	if it.Fix.Code == "check-by-hand" {
		f.Args["reason"] = lang.L("not measurable here")
	}
	return f
}
