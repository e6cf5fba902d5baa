package workercli

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServiceFiles(t *testing.T) {
	argv := []string{"/opt/night shift/nightshift-worker", "start", "--from", "my-rig", "--when", "charging", "--home", "/home/ann/.nightshift", "--moniker", "ann's phone"}

	unit, err := NewServiceFile("systemd", "/home/ann", argv)
	require.NoError(t, err)
	require.Equal(t, "/home/ann/.config/systemd/user/nightshift-worker.service", unit.Path)
	require.Contains(t, unit.Content, "\nExecStart=\"/opt/night shift/nightshift-worker\" start --from my-rig --when charging --home /home/ann/.nightshift --moniker \"ann's phone\"\n")
	require.Contains(t, unit.Content, "\nKillSignal=SIGINT\n")
	require.Contains(t, unit.Content, "\nWantedBy=default.target\n")
	require.Contains(t, unit.Then, "systemctl --user enable --now nightshift-worker")

	plist, err := NewServiceFile("launchd", "/Users/ann", argv)
	require.NoError(t, err)
	require.Equal(t, "/Users/ann/Library/LaunchAgents/network.nightshift.worker.plist", plist.Path)
	var parsed struct {
		Dict struct {
			Array struct {
				Strings []string `xml:"string"`
			} `xml:"array"`
		} `xml:"dict"`
	}
	require.NoError(t, xml.Unmarshal([]byte(plist.Content), &parsed), plist.Content)
	require.Equal(t, argv, parsed.Dict.Array.Strings, "ProgramArguments is the exact start command")
	require.Contains(t, plist.Content, "<key>KeepAlive</key>\n\t<true/>")

	boot, err := NewServiceFile("termux", "/data/data/com.termux/files/home", argv)
	require.NoError(t, err)
	require.Equal(t, "/data/data/com.termux/files/home/.termux/boot/nightshift-worker", boot.Path)
	require.Equal(t, os.FileMode(0o700), boot.Mode)
	require.True(t, strings.HasPrefix(boot.Content, "#!/data/data/com.termux/files/usr/bin/sh\n"))
	require.Contains(t, boot.Content, "\ntermux-wake-lock\n")
	require.Contains(t, boot.Content, "\nexec '/opt/night shift/nightshift-worker' start --from my-rig --when charging --home /home/ann/.nightshift --moniker 'ann'\\''s phone' >> \"$HOME/nightshift-worker.log\" 2>&1\n")

	_, err = NewServiceFile("upstart", "/home/ann", argv)
	require.EqualError(t, err, `--for "upstart": want systemd, launchd or termux`)
}

// TestServiceCommand: `worker service` prints the unit for the running
// binary with the start flags after --, and --install writes it.
func TestServiceCommand(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cmd := Cmd()
	cmd.PersistentFlags().String("home", "/srv/night", "")
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetErr(new(strings.Builder))
	cmd.SetArgs([]string{"service", "--for", "systemd", "--", "--from", "my-rig", "--when", "charging"})
	require.NoError(t, cmd.Execute())
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	require.Contains(t, out.String(), "\nExecStart="+exe+" worker start --from my-rig --when charging --home /srv/night\n")

	cmd.SetArgs([]string{"service", "--for", "termux", "--install", "--", "--from", "my-rig"})
	require.NoError(t, cmd.Execute())
	bz, err := os.ReadFile(filepath.Join(home, ".termux/boot/nightshift-worker"))
	require.NoError(t, err)
	require.Contains(t, string(bz), "exec "+exe+" worker start --from my-rig --home /srv/night >>")
}
