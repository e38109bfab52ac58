package profile

import (
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// ownerFix is how an administrator repairs a machine-wide profile.
const ownerFix = "delete it and recreate the file and its folder from an administrator's prompt, so that Administrators own them and other users may only read the file"

// checkHolders refuses the open machine-wide profile f unless its owner
// and its folder's owner are Administrators or LocalSystem (or the account
// reading it: trustedSID), and the file grants writing to nobody else. The folder's own permissions are not
// judged: under ProgramData every user may create files in it by default,
// which cannot replace a file they do not own.
func checkHolders(f *os.File, path string) error {
	fh, err := winHolder(path, func(si windows.SECURITY_INFORMATION) (*windows.SECURITY_DESCRIPTOR, error) {
		return windows.GetSecurityInfo(windows.Handle(f.Fd()), windows.SE_FILE_OBJECT, si)
	}, true)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	dh, err := winHolder(dir, func(si windows.SECURITY_INFORMATION) (*windows.SECURITY_DESCRIPTOR, error) {
		return windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, si)
	}, false)
	if err != nil {
		return err
	}
	return judge([]holder{fh, dh}, ownerFix)
}

func isAdminSID(sid *windows.SID) bool {
	return sid.IsWellKnown(windows.WinBuiltinAdministratorsSid) || sid.IsWellKnown(windows.WinLocalSystemSid)
}

// trustedSID: an administrator, or the account reading the profile. A
// file only that account could have written can harm nobody else: its
// own runs trust it as they trust its ONRAMP_PROFILE; every other
// account's runs still refuse it. (Under Wine, which keeps no owners,
// every file is the Wine user's, who reads it.)
func trustedSID(sid *windows.SID) bool {
	if isAdminSID(sid) {
		return true
	}
	me := currentUser()
	return me != nil && sid.Equals(me)
}

var currentUser = sync.OnceValue(func() *windows.SID {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil
	}
	sid, err := u.User.Sid.Copy()
	if err != nil {
		return nil
	}
	return sid
})

func sidName(sid *windows.SID) string {
	if account, domain, _, err := sid.LookupAccount(""); err == nil {
		if domain != "" {
			return domain + `\` + account
		}
		return account
	}
	return sid.String()
}

// writeRights are the rights that let someone change a file's content or
// who may change it.
const writeRights = windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA | windows.WRITE_DAC | windows.WRITE_OWNER |
	windows.DELETE | windows.GENERIC_WRITE | windows.GENERIC_ALL

func winHolder(path string, get func(windows.SECURITY_INFORMATION) (*windows.SECURITY_DESCRIPTOR, error), dacl bool) (holder, error) {
	si := windows.SECURITY_INFORMATION(windows.OWNER_SECURITY_INFORMATION)
	if dacl {
		si |= windows.DACL_SECURITY_INFORMATION
	}
	sd, err := get(si)
	if err != nil {
		return holder{}, &os.PathError{Op: "read owner", Path: path, Err: err}
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return holder{Path: path, Owner: "nobody"}, nil
	}
	h := holder{Path: path, Owner: sidName(owner), OwnerAdmin: trustedSID(owner)}
	if !dacl {
		return h, nil
	}
	acl, _, err := sd.DACL()
	if err != nil || acl == nil {
		// No DACL at all grants everyone everything.
		h.OthersWrite = "everyone"
		return h, nil
	}
	for i := uint32(0); i < uint32(acl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if windows.GetAce(acl, i, &ace) != nil {
			h.OthersWrite = "an entry Onramp cannot read"
			break
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 ||
			ace.Mask&writeRights == 0 {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if !trustedSID(sid) {
			h.OthersWrite = sidName(sid)
			break
		}
	}
	return h, nil
}
