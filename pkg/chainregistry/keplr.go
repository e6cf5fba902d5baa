// Package chainregistry reads the chain's cosmos/chain-registry entry
// (chain-registry/nightshift/{chain,assetlist}.json) and derives from it the
// chain info Keplr's experimentalSuggestChain takes, so wallets and explorers
// see one description of the chain.
package chainregistry

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Chain is the part of a registry chain.json the Keplr chain info needs.
type Chain struct {
	ChainName    string `json:"chain_name"`
	ChainID      string `json:"chain_id"`
	PrettyName   string `json:"pretty_name"`
	Bech32Prefix string `json:"bech32_prefix"`
	Slip44       uint32 `json:"slip44"`
	Fees         struct {
		FeeTokens []struct {
			Denom           string  `json:"denom"`
			LowGasPrice     float64 `json:"low_gas_price"`
			AverageGasPrice float64 `json:"average_gas_price"`
			HighGasPrice    float64 `json:"high_gas_price"`
		} `json:"fee_tokens"`
	} `json:"fees"`
	Staking struct {
		StakingTokens []struct {
			Denom string `json:"denom"`
		} `json:"staking_tokens"`
	} `json:"staking"`
	APIs struct {
		RPC  []struct{ Address string } `json:"rpc"`
		REST []struct{ Address string } `json:"rest"`
	} `json:"apis"`
}

// AssetList is the part of a registry assetlist.json the Keplr chain info needs.
type AssetList struct {
	ChainName string `json:"chain_name"`
	Assets    []struct {
		Base       string `json:"base"`
		Display    string `json:"display"`
		Symbol     string `json:"symbol"`
		DenomUnits []struct {
			Denom    string `json:"denom"`
			Exponent uint32 `json:"exponent"`
		} `json:"denom_units"`
	} `json:"assets"`
}

// KeplrCurrency is a currency in Keplr's ChainInfo.
type KeplrCurrency struct {
	CoinDenom        string        `json:"coinDenom"`
	CoinMinimalDenom string        `json:"coinMinimalDenom"`
	CoinDecimals     uint32        `json:"coinDecimals"`
	GasPriceStep     *GasPriceStep `json:"gasPriceStep,omitempty"`
}

// GasPriceStep is a fee currency's gas prices.
type GasPriceStep struct {
	Low     float64 `json:"low"`
	Average float64 `json:"average"`
	High    float64 `json:"high"`
}

// KeplrChainInfo is the argument of window.keplr.experimentalSuggestChain.
type KeplrChainInfo struct {
	ChainID       string            `json:"chainId"`
	ChainName     string            `json:"chainName"`
	RPC           string            `json:"rpc"`
	REST          string            `json:"rest"`
	BIP44         map[string]uint32 `json:"bip44"`
	Bech32Config  map[string]string `json:"bech32Config"`
	Currencies    []KeplrCurrency   `json:"currencies"`
	FeeCurrencies []KeplrCurrency   `json:"feeCurrencies"`
	StakeCurrency KeplrCurrency     `json:"stakeCurrency"`
	Features      []string          `json:"features"`
}

// Keplr derives Keplr's chain info from a registry chain.json and assetlist.json.
func Keplr(chainJSON, assetsJSON []byte) (KeplrChainInfo, error) {
	var c Chain
	if err := json.Unmarshal(chainJSON, &c); err != nil {
		return KeplrChainInfo{}, fmt.Errorf("chain.json: %w", err)
	}
	var a AssetList
	if err := json.Unmarshal(assetsJSON, &a); err != nil {
		return KeplrChainInfo{}, fmt.Errorf("assetlist.json: %w", err)
	}
	if len(c.APIs.RPC) == 0 || len(c.APIs.REST) == 0 || len(c.Fees.FeeTokens) == 0 || len(c.Staking.StakingTokens) == 0 {
		return KeplrChainInfo{}, fmt.Errorf("chain.json needs an rpc and a rest api, a fee token and a staking token")
	}
	currencies := map[string]KeplrCurrency{}
	info := KeplrChainInfo{
		ChainID: c.ChainID, ChainName: c.PrettyName, RPC: c.APIs.RPC[0].Address, REST: c.APIs.REST[0].Address,
		BIP44: map[string]uint32{"coinType": c.Slip44},
		Bech32Config: map[string]string{
			"bech32PrefixAccAddr": c.Bech32Prefix, "bech32PrefixAccPub": c.Bech32Prefix + "pub",
			"bech32PrefixValAddr": c.Bech32Prefix + "valoper", "bech32PrefixValPub": c.Bech32Prefix + "valoperpub",
			"bech32PrefixConsAddr": c.Bech32Prefix + "valcons", "bech32PrefixConsPub": c.Bech32Prefix + "valconspub",
		},
		Features: []string{},
	}
	for _, asset := range a.Assets {
		cur := KeplrCurrency{CoinDenom: asset.Symbol, CoinMinimalDenom: asset.Base}
		found := false
		for _, u := range asset.DenomUnits {
			if strings.EqualFold(u.Denom, asset.Display) {
				cur.CoinDecimals, found = u.Exponent, true
			}
		}
		if !found {
			return KeplrChainInfo{}, fmt.Errorf("asset %s: no denom unit for its display %s", asset.Base, asset.Display)
		}
		currencies[asset.Base] = cur
		info.Currencies = append(info.Currencies, cur)
	}
	for _, ft := range c.Fees.FeeTokens {
		cur, ok := currencies[ft.Denom]
		if !ok {
			return KeplrChainInfo{}, fmt.Errorf("fee token %s is not in the asset list", ft.Denom)
		}
		cur.GasPriceStep = &GasPriceStep{Low: ft.LowGasPrice, Average: ft.AverageGasPrice, High: ft.HighGasPrice}
		info.FeeCurrencies = append(info.FeeCurrencies, cur)
	}
	stake, ok := currencies[c.Staking.StakingTokens[0].Denom]
	if !ok {
		return KeplrChainInfo{}, fmt.Errorf("staking token %s is not in the asset list", c.Staking.StakingTokens[0].Denom)
	}
	info.StakeCurrency = stake
	return info, nil
}
