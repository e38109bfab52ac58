package ui

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// selectable is text the user can select and copy.
func selectable(text string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(text)
	e.OnChanged = func(string) { e.SetText(text) } // read-only, yet copyable
	return e
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

// cliButton shows the command that does the same as the screen's action,
// for IT to copy into a script.
func cliButton(a *Assistant, command func() string) *widget.Button {
	b := widget.NewButtonWithIcon(lang.L("CLI command"), theme.ComputerIcon(), nil)
	b.OnTapped = func() { a.showCLI(command()) }
	return b
}

// showCLI shows a command with a button that copies it.
func (a *Assistant) showCLI(command string) {
	a.lastCLI = command
	text := widget.NewMultiLineEntry()
	text.SetText(command)
	text.Wrapping = fyne.TextWrapBreak
	text.SetMinRowsVisible(3)
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		a.app.Clipboard().SetContent(command)
	})
	body := container.NewBorder(wrapped(lang.L("The same action from a terminal or a script (add --json for machine-readable output):")), copyBtn, nil, nil, text)
	d := dialog.NewCustom(lang.L("CLI command"), lang.L("Close"), body, a.win)
	d.Resize(fyne.NewSize(640, 260))
	d.Show()
}

func parseURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}
