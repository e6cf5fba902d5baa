// Exchange-style integration check with stock CosmJS: balance, send, wait for
// inclusion, find the tx by hash and by transfer.recipient, denom metadata.
// The fee is "auto" (simulated gas) at the chain's min_gas_price, read from the
// REST API as docs/exchanges.md says: every node refuses less, in DeliverTx too.
// Usage: node exchange.mjs RPC_URL SENDER_PRIVKEY_HEX RECIPIENT_ADDRESS REST_URL
import { fromHex } from "@cosmjs/encoding";
import { decodeTxRaw, DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, SigningStargateClient, StargateClient, setupBankExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";

const [rpc, privHex, recipient, rest] = process.argv.slice(2);
if (!rpc || !privHex || !recipient || !rest) {
  console.error("usage: node exchange.mjs RPC_URL SENDER_PRIVKEY_HEX RECIPIENT_ADDRESS REST_URL");
  process.exit(2);
}
const fail = (msg) => {
  console.error("FAIL: " + msg);
  process.exit(1);
};

// CometBFT 0.39 speaks the 0.38 RPC; connect with that client explicitly (the
// auto-detection in connectComet only knows 0.37, 0.38 and 1.x version strings).
const comet = await Comet38Client.connect(rpc);
const wallet = await DirectSecp256k1Wallet.fromKey(fromHex(privHex), "night");
const [sender] = await wallet.getAccounts();
const params = await (await fetch(`${rest}/nightshift/compute/v1/params`)).json();
const minGasPrice = params.params.min_gas_price; // "0.001000000000000000" (ushift per gas)
if (!(Number(minGasPrice) > 0)) fail(`min_gas_price ${minGasPrice} is not positive`);
const client = await SigningStargateClient.createWithSigner(comet, wallet, { gasPrice: GasPrice.fromString(`${minGasPrice}ushift`) });
const reader = await StargateClient.create(comet);

const chainId = await reader.getChainId();
const before = await reader.getBalance(recipient, "ushift");
const amount = "1234567";
const result = await client.sendTokens(sender.address, recipient, [{ denom: "ushift", amount }], "auto", "cosmjs check");
if (result.code !== 0) fail(`send failed with code ${result.code}: ${result.rawLog}`);

const after = await reader.getBalance(recipient, "ushift");
if (BigInt(after.amount) - BigInt(before.amount) !== BigInt(amount)) {
  fail(`recipient balance moved from ${before.amount} to ${after.amount}, expected +${amount}`);
}
const byHash = await reader.getTx(result.transactionHash);
if (!byHash || byHash.height !== result.height) fail(`tx ${result.transactionHash} not found by hash`);
const byEvent = await reader.searchTx(`transfer.recipient='${recipient}'`);
if (!byEvent.some((tx) => tx.hash === result.transactionHash)) fail("tx not found by transfer.recipient event search");
const feePaid = decodeTxRaw(byHash.tx).authInfo.fee.amount.find((c) => c.denom === "ushift")?.amount ?? "0";
const transfer = byHash.events.find((e) => e.type === "transfer" && e.attributes.some((a) => a.key === "recipient" && a.value === recipient));
if (!transfer) fail("transfer event with the recipient missing");

const bank = QueryClient.withExtensions(comet, setupBankExtension);
const meta = await bank.bank.denomMetadata("ushift");
const display = meta.denomUnits.find((u) => u.denom === meta.display);
if (meta.display.toUpperCase() !== "SHIFT" || !display || display.exponent !== 6) {
  fail(`denom metadata: display ${meta.display}, units ${JSON.stringify(meta.denomUnits)}`);
}
const latest = await reader.getHeight();
console.log(JSON.stringify({
  chain_id: chainId, sender: sender.address, recipient, tx: result.transactionHash, height: result.height,
  gas_used: String(result.gasUsed), gas_wanted: String(result.gasWanted), min_gas_price: minGasPrice,
  fee: feePaid, before: before.amount, after: after.amount, found_by_event: byEvent.length,
  display: meta.display, exponent: display.exponent, latest_height: latest,
}));
client.disconnect();
