package ui

import (
	"errors"
	"net/http"
	"strings"

	"fyne.io/fyne/v2/lang"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/archive"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/installer/native"
	"onramp.dev/onramp/setup"
)

// coreErrorText words the downloader's, the installer's and the core's
// errors, all but the session's (401, 403: errorText words them with the
// service's): what happened, where, and what to do, from the error's
// fields. Their Error() strings are English and speak to the command
// line ("--target", "sudo"); a window user reads these instead. "" when
// err is none of them.
func coreErrorText(err error) string {
	var (
		tls      *downloader.TLSError
		proxy    *downloader.ProxyAuthError
		enc      *downloader.EncodingError
		write    *downloader.WriteError
		status   *downloader.HTTPError
		notEmpty *installer.TargetNotEmptyError
		readOnly *installer.ReadOnlyError
		remove   *installer.UninstallError
		noPkg    *deploy.NoPackageError
		stall    *downloader.StallError
		inWay    *installer.FileInTheWayError
		conflict *installer.ConflictError
		target   *deploy.TargetError
		natErr   *native.Error
		owned    *installer.NativeInstallError
		depl     *deploy.Error
		reqs     *setup.RequirementsError
		checksum *downloader.ChecksumError
		space    *downloader.SpaceError
		volume   *installer.SpaceError
		rights   *installer.ElevationError
		right    *setup.RightError
	)
	switch {
	case errors.As(err, &depl) && len(depl.Problems) > 0:
		// First: it bundles its products' problems (it unwraps to all of
		// them), each in its own words: space, rights, a
		// package for another system, a damaged package.
		lines := []string{lang.L("The deployment cannot be installed on this computer; nothing was installed:")}
		for _, p := range depl.Problems {
			lines = append(lines, "• "+p.Product+": "+errorText(p.Err))
		}
		return strings.Join(lines, "\n")
	case errors.As(err, &tls):
		return lang.L("The server's security certificate was refused, so nothing was downloaded. Check this computer's date and time, or ask IT whether a proxy inspects secure connections.")
	case errors.As(err, &proxy):
		return lang.L("The network's proxy asks for a sign-in that Onramp does not have. Ask IT for the proxy's settings.")
	case errors.As(err, &enc):
		return lang.L("The file arrived altered (compressed on the way), so it was discarded. Try again later, or tell IT about the proxy.")
	case errors.As(err, &write):
		return lang.L("The download could not be written to {{.Path}}. Check the disk and its free space, then try again: the download resumes where it stopped.", map[string]any{"Path": write.Path})
	case errors.As(err, &status):
		code := map[string]any{"Status": status.Status}
		switch {
		case errors.Is(err, downloader.ErrAuth), errors.Is(err, downloader.ErrForbidden):
			return "" // errorText's sentences: sign in again, ask for the benefit
		case status.Status == http.StatusNotFound || status.Status == http.StatusGone:
			return lang.L("The file is no longer on the server. Refresh the product list, then try again.")
		case status.Status >= 500:
			return lang.L("The server failed (code {{.Status}}). Try again later; the download resumes where it stopped.", code)
		}
		return lang.L("The server refused the download (code {{.Status}}). Try again later, or tell support.", code)
	case errors.Is(err, downloader.ErrInsecure):
		return lang.L("The address is not secure (plain http). Onramp downloads over https only.")
	case errors.Is(err, downloader.ErrBusy):
		return lang.L("This file is already being downloaded. Wait for that download to finish.")
	case errors.Is(err, downloader.ErrTooManyRedirects):
		return lang.L("The server sent the download round in circles (too many redirects). Tell IT or support.")
	case errors.Is(err, downloader.ErrUnsupportedSource):
		return lang.L("This kind of address cannot be downloaded by this assistant.")
	case errors.Is(err, downloader.ErrDestIsFolder):
		return lang.L("A folder stands where the download must be saved. Move it, then try again.")
	case errors.As(err, &notEmpty):
		return lang.L("{{.Target}} already holds {{.Count}} files or folders that Onramp did not install. Choose an empty or new folder.",
			map[string]any{"Target": notEmpty.Target, "Count": intText(int64(notEmpty.Files))})
	case errors.As(err, &stall):
		return lang.L("The server stopped sending the file. Try again later: the download resumes where it stopped.")
	case errors.As(err, &remove) && errors.Is(err, installer.ErrReadOnly):
		return lang.L("{{.Path}} is on a disk that cannot be written (read-only), so {{.Product}} cannot be removed from it. Make the disk writable, then uninstall again.", map[string]any{"Path": remove.Folder, "Product": remove.Product})
	case errors.As(err, &remove):
		return lang.L("Onramp may not remove files in {{.Path}}. Make the folder writable, or uninstall {{.Product}} as an administrator.", map[string]any{"Path": remove.Folder, "Product": remove.Product})
	case errors.As(err, &readOnly):
		return lang.L("{{.Path}} is on a disk that cannot be written (read-only). Choose a folder on another disk.", map[string]any{"Path": readOnly.Path})
	case errors.As(err, &inWay):
		return lang.L("{{.Path}} is a file where a folder must be. Move it, or choose another folder.", map[string]any{"Path": inWay.Path})
	case errors.As(err, &conflict):
		return lang.L("Files you added to {{.Target}} are where the new version puts its own: {{.Paths}}. Move or rename them, then try again; nothing was changed.",
			map[string]any{"Target": conflict.Target, "Paths": strings.Join(conflict.Paths, ", ")})
	case errors.As(err, &target):
		if errors.Is(target.Err, deploy.ErrNotAFolder) {
			return lang.L("{{.Path}} is a file where a folder must be. Move it, or choose another folder.", map[string]any{"Path": target.Path})
		}
		return lang.L("{{.Path}} cannot be written. Choose a folder of your own, or ask IT.", map[string]any{"Path": target.Path})
	case errors.As(err, &owned):
		return lang.L("{{.Product}} was installed by the system's installer, which owns its files: check or repair it there (on Windows: Settings, Apps).", map[string]any{"Product": owned.Product})
	case errors.As(err, &natErr):
		return lang.L("The system's installer failed (exit code {{.Code}}); nothing was installed. Try again, or tell IT.", map[string]any{"Code": natErr.Code})
	case errors.Is(err, deploy.ErrDeploymentUnsigned), errors.Is(err, deploy.ErrDeploymentChanged):
		return lang.L("The deployment folder does not match its signed product list; nothing was installed. Build the deployment again.")
	case errors.Is(err, errChangedMeanwhile):
		return lang.L("The installed version changed meanwhile, so nothing was done. Read the card again, then choose.")
	case errors.As(err, &checksum):
		return lang.L("The download does not match its checksum, so it was deleted. Try again; if it fails again, tell support.")
	case errors.As(err, &space), errors.As(err, &volume):
		return lang.L("Not enough free disk space. Free some space, or choose another folder.")
	case errors.As(err, &rights):
		return lang.L("This folder needs administrator rights. Choose a folder of your own, or ask IT.")
	case errors.Is(err, installer.ErrLocked):
		return lang.L("Another install of this product is running. Wait for it to finish.")
	case errors.Is(err, native.ErrAnotherInstall):
		return lang.L("Another installation is in progress on this computer. Try again when it ends.")
	case errors.Is(err, deploy.ErrNoWindowsAssistant), errors.Is(err, deploy.ErrNotWindowsProgram):
		return lang.L("A deployment for Windows carries the Windows assistant (assistant.exe), and none was found beside Onramp. Run Onramp from the folder Onramp.msi installs, or use 'assistant deploy create --assistant FILE'.")
	case errors.Is(err, installer.ErrPackageHash), errors.Is(err, archive.ErrUnsafe):
		return lang.L("The package is damaged or unsafe; nothing was installed. Download it again.")
	case errors.Is(err, installer.ErrNotInstalled):
		return lang.L("This product is not installed on this computer.")
	case errors.As(err, &right) && right.Right == "":
		return lang.L("Not assigned to you: ask your contract manager.")
	case errors.As(err, &right) && right.Right == catalog.BenefitInstall:
		return lang.L("Installing needs the install benefit: ask your contract manager or software coordinator.")
	case errors.As(err, &right):
		return lang.L("Your account lacks the download benefit: ask your contract manager.")
	case errors.Is(err, setup.ErrNoVerifiedCopy):
		return lang.L("No intact copy of this version's package is on this computer, and the product list no longer offers it, so it cannot be repaired. Install the product again.")
	case errors.Is(err, installer.ErrNoPrevious):
		return lang.L("No previous version is kept, so there is nothing to go back to.")
	case errors.Is(err, native.ErrWrongOS):
		return lang.L("This package is for another operating system.")
	case errors.Is(err, native.ErrCancelled):
		return lang.L("The install was cancelled; nothing was changed.")
	case errors.As(err, &reqs):
		return lang.L("This computer does not meet the product's requirements. Run the check to see which.")
	case errors.As(err, &noPkg):
		var names []string
		for _, p := range noPkg.Platforms {
			names = append(names, platformName(p))
		}
		return lang.L("{{.Product}} {{.Version}} has no package for {{.Systems}}. Tick a system it has a package for, or leave the product out.",
			map[string]any{"Product": noPkg.Product, "Version": noPkg.Version, "Systems": strings.Join(names, ", ")})
	case errors.Is(err, setup.ErrNoPackage):
		return lang.L("This product has no package for this computer's system.")
	case errors.Is(err, setup.ErrNotInCatalog):
		return lang.L("This package is not one the product list names, so it was not installed.")
	case errors.Is(err, setup.ErrNoLaunch):
		return lang.L("This product names no program to start.")
	case errors.Is(err, setup.ErrNotSignedIn), errors.Is(err, setup.ErrNoSource), errors.Is(err, setup.ErrNoBase):
		return lang.L("The product list is not available. Sign out, sign in again, then try again.")
	}
	return ""
}
