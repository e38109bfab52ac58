package native

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows Installer's API (msi.dll), for what msiexec's command line
// cannot tell: the product code a package installs, which uninstall needs.
var (
	msiDLL                = windows.NewLazySystemDLL("msi.dll")
	msiOpenPackageEx      = msiDLL.NewProc("MsiOpenPackageExW")
	msiGetProductProperty = msiDLL.NewProc("MsiGetProductPropertyW")
	msiCloseHandle        = msiDLL.NewProc("MsiCloseHandle")
	errMoreData           = uintptr(windows.ERROR_MORE_DATA)
	msiIgnoreMachineState = uintptr(1) // MSIOPENPACKAGEFLAGS_IGNOREMACHINESTATE: read only, no install state
	maxProductPropertyLen = 256
)

// ProductCode reads an MSI package's ProductCode property.
func ProductCode(pkg string) (string, error) {
	if err := msiDLL.Load(); err != nil {
		return "", fmt.Errorf("msi.dll: %w", err)
	}
	path, err := windows.UTF16PtrFromString(pkg)
	if err != nil {
		return "", err
	}
	var h uintptr
	if rc, _, _ := msiOpenPackageEx.Call(uintptr(unsafe.Pointer(path)), msiIgnoreMachineState, uintptr(unsafe.Pointer(&h))); rc != 0 {
		return "", fmt.Errorf("%s: open package: %w", pkg, windows.Errno(rc))
	}
	defer msiCloseHandle.Call(h)
	name, _ := windows.UTF16PtrFromString("ProductCode")
	buf := make([]uint16, maxProductPropertyLen)
	n := uint32(len(buf))
	rc, _, _ := msiGetProductProperty.Call(h, uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)))
	if rc == errMoreData {
		return "", fmt.Errorf("%s: ProductCode longer than %d characters", pkg, len(buf))
	}
	if rc != 0 {
		return "", fmt.Errorf("%s: ProductCode: %w", pkg, windows.Errno(rc))
	}
	return windows.UTF16ToString(buf[:n]), nil
}
