package profile

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// protect gives the installed machine-wide profile an owner and
// permissions that do not depend on what its folder passes down:
// Administrators own it; SYSTEM and Administrators have every right,
// Users may read it, nobody else has any (a protected DACL, inheriting
// nothing). Its folder is left as it is: one that another user made is
// refused by the read-back, as it must be.
func protect(path string) error {
	admins, err := windows.CreateWellKnownSid(windows.WinBuiltinAdministratorsSid)
	if err != nil {
		return err
	}
	system, err := windows.CreateWellKnownSid(windows.WinLocalSystemSid)
	if err != nil {
		return err
	}
	users, err := windows.CreateWellKnownSid(windows.WinBuiltinUsersSid)
	if err != nil {
		return err
	}
	grant := func(sid *windows.SID, rights windows.ACCESS_MASK) windows.EXPLICIT_ACCESS {
		return windows.EXPLICIT_ACCESS{AccessPermissions: rights, AccessMode: windows.SET_ACCESS,
			Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP,
				TrusteeValue: windows.TrusteeValueFromSID(sid)}}
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{
		grant(system, windows.GENERIC_ALL), grant(admins, windows.GENERIC_ALL),
		grant(users, windows.GENERIC_READ|windows.GENERIC_EXECUTE),
	}, nil)
	if err != nil {
		return err
	}
	if err := windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION,
		admins, nil, acl, nil); err != nil {
		return fmt.Errorf("set the owner and permissions of %s: %w", path, err)
	}
	return nil
}
