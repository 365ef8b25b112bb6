// viem v2, unmodified, against the node: reads, fees, a wallet transfer, proofs, errors,
// filters and a WebSocket block watch.
// Usage: node check_viem.mjs <http url> <chain id> <private key>. Exits non-zero on failure.
import assert from "node:assert/strict";
import { createPublicClient, createWalletClient, defineChain, http, webSocket } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const [url, chainId, key] = process.argv.slice(2);
const chain = defineChain({
  id: Number(chainId),
  name: "rollup-node",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } },
});
const client = createPublicClient({ chain, transport: http(url) });
const account = privateKeyToAccount(key);
const wallet = createWalletClient({ account, chain, transport: http(url) });
const other = privateKeyToAccount(generatePrivateKey()).address;

assert.equal(await client.getChainId(), Number(chainId));
const latest = await client.getBlock({ includeTransactions: true });
assert.equal(typeof latest.baseFeePerGas, "bigint");
const fees = await client.estimateFeesPerGas();
assert.ok(fees.maxFeePerGas > fees.maxPriorityFeePerGas);
const history = await client.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] });
assert.equal(history.baseFeePerGas.length, history.gasUsedRatio.length + 1);

const filter = await client.createBlockFilter();
const hash = await wallet.sendTransaction({ to: other, value: 5n });
const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 100 });
assert.equal(receipt.status, "success");
assert.equal(receipt.type, "eip1559");
assert.equal((await client.getTransaction({ hash })).blockNumber, receipt.blockNumber);
assert.equal(await client.getBalance({ address: other }), 5n);
const nonce = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
assert.ok(nonce > 0);
const proof = await client.getProof({ address: other, storageKeys: [`0x${"00".repeat(32)}`] });
assert.equal(proof.balance, 5n);
assert.ok((await client.getFilterChanges({ filter })).includes(receipt.blockHash));

await assert.rejects(wallet.sendTransaction({ to: other, nonce: 0, value: 1n }), (error) => {
  assert.match(error.shortMessage, /Nonce provided for the transaction is lower/);
  return true;
});

const ws = createPublicClient({ chain, transport: webSocket(url.replace("http", "ws")) });
const watched = new Promise((resolve) => {
  const stop = ws.watchBlocks({ onBlock: (block) => { stop(); resolve(block.number); } });
});
await new Promise((resolve) => setTimeout(resolve, 300)); // let the subscription start
await wallet.sendTransaction({ to: other, value: 1n });
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no block over ws")), 10000));
assert.ok((await Promise.race([watched, timeout])) > receipt.blockNumber);
console.log("viem ok");
process.exit(0);
