package workercli

// `worker service`: the file that starts the worker at login or boot, for the
// service manager of this OS (systemd user unit, launchd agent, Termux:Boot).

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
)

const (
	serviceSystemd = "systemd"
	serviceLaunchd = "launchd"
	serviceTermux  = "termux"
	flagInstall    = "install"
	flagServiceFor = "for"
)

// ServiceFile is a service definition: where it goes and what it says.
type ServiceFile struct {
	Path    string // under the user's home directory
	Content string
	Mode    os.FileMode
	Then    string // what to run after installing it
}

// NewServiceFile writes the service definition of kind (systemd, launchd or
// termux) that runs argv, the exact start command, for the user whose home is
// userHome.
func NewServiceFile(kind, userHome string, argv []string) (ServiceFile, error) {
	switch kind {
	case serviceSystemd:
		path := filepath.Join(userHome, ".config/systemd/user/nightshift-worker.service")
		quoted := make([]string, len(argv))
		for i, a := range argv {
			quoted[i] = systemdQuote(a)
		}
		return ServiceFile{Path: path, Mode: 0o644, Content: `[Unit]
Description=Nightshift worker: computes jobs for SHIFT
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=` + strings.Join(quoted, " ") + `
Restart=always
RestartSec=30
# SIGINT lets the item in hand finish; the worker resumes on the next start.
KillSignal=SIGINT
TimeoutStopSec=60

[Install]
WantedBy=default.target
`, Then: "systemctl --user daemon-reload && systemctl --user enable --now nightshift-worker\n" +
			"loginctl enable-linger \"$USER\"   # keep it running while you are logged out"}, nil
	case serviceLaunchd:
		path := filepath.Join(userHome, "Library/LaunchAgents/network.nightshift.worker.plist")
		var args strings.Builder
		for _, a := range argv {
			fmt.Fprintf(&args, "\t\t<string>%s</string>\n", xmlEscape(a))
		}
		logPath := xmlEscape(filepath.Join(userHome, "Library/Logs/nightshift-worker.log"))
		return ServiceFile{Path: path, Mode: 0o644, Content: `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>network.nightshift.worker</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<true/>
	<key>ProcessType</key>
	<string>Background</string>
	<key>StandardOutPath</key>
	<string>` + logPath + `</string>
	<key>StandardErrorPath</key>
	<string>` + logPath + `</string>
</dict>
</plist>
`, Then: "launchctl load -w " + shellQuote(path)}, nil
	case serviceTermux:
		path := filepath.Join(userHome, ".termux/boot/nightshift-worker")
		quoted := make([]string, len(argv))
		for i, a := range argv {
			quoted[i] = shellQuote(a)
		}
		return ServiceFile{Path: path, Mode: 0o700, Content: `#!/data/data/com.termux/files/usr/bin/sh
# Run by Termux:Boot when the phone starts. The wake lock keeps Android from
# suspending the worker; the power policy decides when it computes.
termux-wake-lock
exec ` + strings.Join(quoted, " ") + ` >> "$HOME/nightshift-worker.log" 2>&1
`, Then: "install the Termux:Boot app and open it once; the worker then starts at every boot"}, nil
	}
	return ServiceFile{}, fmt.Errorf("--for %q: want %s, %s or %s", kind, serviceSystemd, serviceLaunchd, serviceTermux)
}

// defaultServiceKind is the service manager of this machine.
func defaultServiceKind() (string, error) {
	switch {
	case runtime.GOOS == "android" || os.Getenv("TERMUX_VERSION") != "" || strings.Contains(os.Getenv("PREFIX"), "com.termux"):
		return serviceTermux, nil
	case runtime.GOOS == "linux":
		return serviceSystemd, nil
	case runtime.GOOS == "darwin":
		return serviceLaunchd, nil
	}
	return "", fmt.Errorf("no service file for %s: run the start command from the Task Scheduler (or another service manager) instead", runtime.GOOS)
}

func workerServiceCmd(cmdPath string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "service [--install] -- START_FLAGS...",
		Short: "Print (or --install) a systemd user unit, launchd agent or Termux:Boot script that runs `start START_FLAGS...`",
		Example: fmt.Sprintf(`  %[1]s service -- --from my-rig --when charging --keyring-backend test
  %[1]s service --install -- --from my-rig --idle-only`, cmdPath),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, _ := cmd.Flags().GetString(flagServiceFor)
			var err error
			if kind == "" {
				if kind, err = defaultServiceKind(); err != nil {
					return err
				}
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			if exe, err = filepath.EvalSymlinks(exe); err != nil {
				return err
			}
			userHome, err := os.UserHomeDir()
			if err != nil {
				return err
			}
			argv := append([]string{exe}, strings.Fields(cmdPath)[1:]...)
			argv = append(argv, "start")
			argv = append(argv, args...)
			if home, _ := cmd.Flags().GetString("home"); home != "" && !contains(args, "--home") {
				argv = append(argv, "--home", home)
			}
			sf, err := NewServiceFile(kind, userHome, argv)
			if err != nil {
				return err
			}
			install, _ := cmd.Flags().GetBool(flagInstall)
			if !install {
				fmt.Fprintf(cmd.ErrOrStderr(), "# %s (write it with --install)\n", sf.Path)
				fmt.Fprint(cmd.OutOrStdout(), sf.Content)
				return nil
			}
			if err := os.MkdirAll(filepath.Dir(sf.Path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(sf.Path, []byte(sf.Content), sf.Mode); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s; now:\n%s\n", sf.Path, sf.Then)
			return nil
		},
	}
	cmd.Flags().Bool(flagInstall, false, "write the file instead of printing it")
	cmd.Flags().String(flagServiceFor, "", "systemd, launchd or termux (default: this machine's)")
	return cmd
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s || strings.HasPrefix(v, s+"=") {
			return true
		}
	}
	return false
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// systemdQuote quotes s for an ExecStart line when it needs it.
func systemdQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\$%;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
