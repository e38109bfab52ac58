package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// choice is one button of a dialog: what it says and what it does once
// the dialog is closed (nil: it only closes it).
type choice struct {
	label      string
	icon       fyne.Resource
	importance widget.Importance
	do         func()
}

// choiceDialog is a dialog whose buttons are the window's ring buttons:
// Fyne's own dialog buttons show focus by a tint that does not differ 3:1
// from the unfocused button (WCAG 2.4.13). The first button has the
// keyboard when it opens; Enter or Space presses the focused button (the
// first when none is), Escape presses the cancel one.
type choiceDialog struct {
	d       *dialog.CustomDialog
	canvas  fyne.Canvas
	buttons []*dialogButton
	cancel  int                  // the button Escape presses
	prevKey func(*fyne.KeyEvent) // the canvas's key handler before it opened
	shown   bool
	sized   bool
	// textWidth is the width a message needs unwrapped; the dialog is as
	// wide, up to maxDialogWidth and 90% of the window, and as tall as
	// text, its message, needs at that width.
	textWidth float32
	text      *widget.Label
}

const maxDialogWidth = 600

// newChoiceDialog builds a dialog with these buttons, left to right.
func (a *Assistant) newChoiceDialog(title string, icon fyne.Resource, body fyne.CanvasObject, cancel int, choices ...choice) *choiceDialog {
	c := &choiceDialog{d: dialog.NewCustomWithoutButtons(title, body, a.win), canvas: a.win.Canvas(), cancel: cancel}
	row := make([]fyne.CanvasObject, len(choices))
	for i, ch := range choices {
		b := &dialogButton{dialog: c}
		b.Text, b.Icon, b.Importance = ch.label, ch.icon, ch.importance
		b.OnTapped = func() { c.press(ch.do) }
		b.ExtendBaseWidget(b)
		c.buttons = append(c.buttons, b)
		row[i] = b
	}
	c.d.SetButtons(row)
	if icon != nil {
		c.d.SetIcon(icon)
	}
	return c
}

// Show opens the dialog with its first button focused.
func (c *choiceDialog) Show() {
	c.shown = true
	if !c.sized && c.textWidth > 0 {
		w := min(c.textWidth, maxDialogWidth, c.canvas.Size().Width*0.9)
		if c.text != nil {
			// A wrapping label measures its height at the width it has:
			// unsized, every word is a line, and the dialog as tall.
			c.text.Resize(fyne.NewSize(w-dialogInset(), c.text.MinSize().Height))
		}
		c.d.Resize(fyne.NewSize(w, c.d.MinSize().Height))
	}
	c.prevKey = c.canvas.OnTypedKey()
	c.canvas.SetOnTypedKey(c.typedKey)
	c.d.Show()
	if len(c.buttons) > 0 {
		c.canvas.Focus(c.buttons[0])
	}
}

// Resize sets the dialog's size.
func (c *choiceDialog) Resize(size fyne.Size) {
	c.sized = true
	c.d.Resize(size)
}

// press closes the dialog, then does what the button says.
func (c *choiceDialog) press(do func()) {
	if !c.shown {
		return // a second key press before the dialog went
	}
	c.shown = false
	c.canvas.SetOnTypedKey(c.prevKey)
	c.d.Hide()
	if do != nil {
		do()
	}
}

// typedKey takes the keys typed while no button has the focus (the user
// clicked the dialog's text).
func (c *choiceDialog) typedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		c.buttons[c.cancel].OnTapped()
	case fyne.KeyReturn, fyne.KeyEnter:
		c.buttons[0].OnTapped()
	}
}

// dialogButton is a ring button that knows its dialog's keys.
type dialogButton struct {
	button
	dialog *choiceDialog
}

// TypedKey presses this button on Enter and the cancel one on Escape.
func (b *dialogButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		b.dialog.buttons[b.dialog.cancel].OnTapped()
	case fyne.KeyReturn, fyne.KeyEnter:
		b.OnTapped()
	default:
		b.button.TypedKey(ev)
	}
}

// confirm asks before an action: Cancel (focused, pressed by Escape) and
// the action's button.
func (a *Assistant) confirm(title, message string, action choice) *choiceDialog {
	if action.importance == widget.MediumImportance {
		action.importance = widget.HighImportance
	}
	if action.icon == nil {
		action.icon = theme.ConfirmIcon()
	}
	text := dialogText(message)
	c := a.newChoiceDialog(title, theme.QuestionIcon(), text, 0,
		choice{label: lang.L("Cancel"), icon: theme.CancelIcon()}, action)
	c.textWidth, c.text = textWidth(message), text
	return c
}

// tell shows a message with one Close button.
func (a *Assistant) tell(title string, icon fyne.Resource, message string) *choiceDialog {
	text := dialogText(message)
	c := a.newChoiceDialog(title, icon, text, 0, choice{label: lang.L("Close")})
	c.textWidth, c.text = textWidth(message), text
	return c
}

func dialogText(message string) *widget.Label {
	return &widget.Label{Text: message, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
}

// textWidth is the width of a dialog showing message on one line: the
// label's, the dialog's padding (Fyne's 32) and the theme's.
func textWidth(message string) float32 {
	return widget.NewLabel(message).MinSize().Width + dialogInset()
}

// dialogInset is what a dialog adds around its content's width.
func dialogInset() float32 { return 32 + theme.Padding()*2 }
