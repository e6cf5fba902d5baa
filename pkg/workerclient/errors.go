package workerclient

import (
	"fmt"
	"strings"

	errorsmod "cosmossdk.io/errors"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// chainError turns a failed simulation into the registered error it reports.
// Simulation errors reach clients as text only (BaseApp turns the tx service's
// gRPC error into ErrUnknownRequest, dropping the codespace and code), and
// registered messages are unique, so the text is matched against the errors
// the caller knows and the SDK's errors the worker branches on.
func (c *Client) chainError(err error) error {
	msg := err.Error()
	for _, known := range c.known {
		if strings.Contains(msg, ": "+known.Error()) {
			return errorsmod.Wrap(known, msg)
		}
	}
	for _, sdkErr := range []*errorsmod.Error{sdkerrors.ErrWrongSequence, sdkerrors.ErrInsufficientFunds, sdkerrors.ErrInsufficientFee, sdkerrors.ErrOutOfGas} {
		if strings.Contains(msg, sdkErr.Error()) {
			return errorsmod.Wrap(sdkErr, msg)
		}
	}
	if !isStatus(err) {
		// Not an answer of the node: the query never reached it.
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}
