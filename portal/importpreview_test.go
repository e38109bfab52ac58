package portal

import (
	"context"
	"testing"
)

// A preview renders each kind of email once per language rather than once
// a line, yet refuses what the import refuses: an email that cannot be
// written in a user's language fails both alike, and the lines of the
// other language alone pass both.
func TestImportPreviewChecksEmails(t *testing.T) {
	ctx := context.Background()
	p := newTestPortal(t)
	_, admin := p.admin(t, "boss@example.com", "quill")
	saved := mailSet["start.fr"]
	delete(mailSet, "start.fr")
	t.Cleanup(func() { mailSet["start.fr"] = saved })
	csv := []byte("email,name,role,products,benefits,language\nann@example.com,Ann,user,,,en\nbea@example.com,Bea,user,,,en\nluc@example.com,Luc,user,,,fr\n")
	_, previewErr := p.svc.ImportUsers(ctx, admin, csv, true)
	_, importErr := p.svc.ImportUsers(ctx, admin, csv, false)
	if previewErr == nil || importErr == nil || previewErr.Error() != importErr.Error() {
		t.Errorf("a French start email that cannot be written: preview %v, import %v", previewErr, importErr)
	}
	csv = []byte("email,name,role,products,benefits,language\nann@example.com,Ann,user,,,en\nbea@example.com,Bea,user,,,en\n")
	if changes, err := p.svc.ImportUsers(ctx, admin, csv, true); err != nil || len(changes) != 2 || changes[1].Action != "create" || changes[1].UserID == "" {
		t.Fatalf("preview in English: %+v %v", changes, err)
	}
	if n := len(p.emailsTo(t, "bea@example.com", "start")); n != 0 {
		t.Errorf("the preview queued %d start emails", n)
	}
	if changes, err := p.svc.ImportUsers(ctx, admin, csv, false); err != nil || len(changes) != 2 {
		t.Fatalf("import in English: %+v %v", changes, err)
	}
	if n := len(p.emailsTo(t, "bea@example.com", "start")); n != 1 {
		t.Errorf("%d start emails after the import, want 1", n)
	}
}
