// ethers v6, unmodified, against the node: reads, a wallet transfer, errors, logs, WebSocket.
// Usage: node check_ethers.mjs <http url> <private key> <revert initcode>. Exits non-zero on failure.
import assert from "node:assert/strict";
import { ethers } from "ethers";

const [url, key, revertInitcode] = process.argv.slice(2);
// ethers caches identical requests for 250 ms; with a block per transaction that would hand
// back a stale "pending" nonce, so the cache is off (a setting every ethers user has).
const provider = new ethers.JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
const wallet = new ethers.Wallet(key, provider);
const other = ethers.Wallet.createRandom().address;

const network = await provider.getNetwork();
assert.ok(network.chainId > 0n);
assert.ok((await provider.getBalance(wallet.address)) > 0n);
const fees = await provider.getFeeData();
assert.ok(fees.maxFeePerGas > fees.maxPriorityFeePerGas);

const sent = await wallet.sendTransaction({ to: other, value: 1000n });
assert.equal(sent.type, 2);
const receipt = await sent.wait();
assert.equal(receipt.status, 1);
assert.equal(await provider.getBalance(other), 1000n);
const block = await provider.getBlock(receipt.blockNumber, true);
assert.equal(block.hash, receipt.blockHash);
assert.ok(block.prefetchedTransactions.some((tx) => tx.hash === sent.hash));
assert.equal((await provider.getTransaction(sent.hash)).blockNumber, receipt.blockNumber);

await assert.rejects(wallet.sendTransaction({ to: other, nonce: 0, value: 1n }), { code: "NONCE_EXPIRED" });
await assert.rejects(
  wallet.sendTransaction({ to: other, value: 10n ** 30n }),
  { code: "INSUFFICIENT_FUNDS" },
);

const deployed = await (await wallet.sendTransaction({ data: revertInitcode })).wait();
assert.equal(deployed.status, 1);
await assert.rejects(provider.call({ to: deployed.contractAddress }), (error) => {
  assert.equal(error.code, "CALL_EXCEPTION");
  assert.equal(error.reason, "nope");
  return true;
});
await assert.rejects(provider.estimateGas({ to: deployed.contractAddress }), { reason: "nope" });

const history = await provider.send("eth_feeHistory", ["0x4", "latest", [25, 75]]);
assert.equal(history.reward.at(-1).length, 2);
assert.ok(Array.isArray(await provider.getLogs({ fromBlock: 0, toBlock: "latest" })));

const ws = new ethers.WebSocketProvider(url.replace("http", "ws"));
const nextBlock = new Promise((resolve) => ws.once("block", resolve));
await (await wallet.sendTransaction({ to: other, value: 1n })).wait();
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no block over ws")), 10000));
assert.ok((await Promise.race([nextBlock, timeout])) > receipt.blockNumber);
ws.websocket.close();
console.log("ethers ok");
process.exit(0);
