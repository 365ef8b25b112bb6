// ethers v6, unmodified: node-held signers of a dev chain (eth_accounts, eth_sendTransaction,
// personal_sign, eth_signTypedData_v4), as a dapp uses them against anvil.
// Usage: node check_ethers_signer.mjs <http url>. Exits non-zero on failure.
import assert from "node:assert/strict";
import { ethers } from "ethers";

const [url] = process.argv.slice(2);
const provider = new ethers.JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
const accounts = await provider.listAccounts();
assert.equal(accounts.length, 10);
const signer = await provider.getSigner(1);
assert.equal(signer.address, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const other = ethers.Wallet.createRandom().address;

const sent = await signer.sendTransaction({ to: other, value: 4321n });
const receipt = await sent.wait();
assert.equal(receipt.status, 1);
assert.equal(receipt.from, signer.address);
assert.equal(await provider.getBalance(other), 4321n);

const signature = await signer.signMessage("hello devnet");
assert.equal(ethers.verifyMessage("hello devnet", signature), signer.address);

const domain = { name: "check", version: "1", chainId: (await provider.getNetwork()).chainId };
const types = { Note: [{ name: "to", type: "address" }, { name: "amount", type: "uint256" }] };
const value = { to: other, amount: 7n };
const typed = await signer.signTypedData(domain, types, value);
assert.equal(ethers.verifyTypedData(domain, types, value, typed), signer.address);
console.log("ethers signer ok");
