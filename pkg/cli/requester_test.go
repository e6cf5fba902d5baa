package cli

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormatBps(t *testing.T) {
	require.Equal(t, "2%", formatBps(200))
	require.Equal(t, "1.25%", formatBps(125))
	require.Equal(t, "0.5%", formatBps(50))
}
