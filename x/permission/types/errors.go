package types

import errorsmod "cosmossdk.io/errors"

// Errors returned by the permission module; codes are part of the API.
var (
	ErrUnauthorized          = errorsmod.Register(ModuleName, 2, "signer is not the permission authority")
	ErrValidatorNotApproved  = errorsmod.Register(ModuleName, 3, "validator operator is not approved")
	ErrAlreadyApproved       = errorsmod.Register(ModuleName, 4, "validator operator is already approved")
	ErrDelegationNotAllowed  = errorsmod.Register(ModuleName, 5, "only a validator's approved operator may delegate to it")
	ErrLastValidator         = errorsmod.Register(ModuleName, 6, "removal would leave the chain without voting power")
	ErrInvalidAddress        = errorsmod.Register(ModuleName, 7, "invalid address")
	ErrInvalidGenesis        = errorsmod.Register(ModuleName, 8, "invalid permission genesis")
	ErrRedelegationForbidden = errorsmod.Register(ModuleName, 9, "redelegation to another operator's validator is not allowed")
	// ErrInvalidRevealChain: a committed chain with a tip that is not 32 bytes
	// or a length outside [MinRevealChainLength, MaxRevealChainLength].
	ErrInvalidRevealChain = errorsmod.Register(ModuleName, 10, "invalid reveal chain")
	// ErrNoValidator: the operator of a reveal chain has no validator yet.
	ErrNoValidator = errorsmod.Register(ModuleName, 11, "operator has no validator")
	// ErrInvalidReveal: a vote extension or injected reveal set that does not
	// verify against the committed chains.
	ErrInvalidReveal = errorsmod.Register(ModuleName, 12, "invalid reveal")
)
