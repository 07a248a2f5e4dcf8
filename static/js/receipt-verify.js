// Verifies a consent receipt in the browser with WebCrypto, as
// bin/icentrex-verify.py does: the content gives the fingerprint, the
// fingerprint the leaf, the inclusion proof (RFC 9162 2.1.3.2) the
// checkpoint's root, and the checkpoint carries an Ed25519 signature by one of
// the log's keys (c2sp.org/signed-note). Nothing is sent anywhere.
(function () {
  "use strict";
  const button = document.getElementById("receipt-verify");
  const data = document.getElementById("receipt-data");
  if (!button || !data) return;
  const out = document.getElementById("receipt-verify-result");
  const encoder = new TextEncoder();

  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const concat = (...parts) => {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) { all.set(part, at); at += part.length; }
    return all;
  };
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const sha256 = async (...parts) => new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
  const node = (left, right) => sha256(Uint8Array.of(1), left, right);

  // Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  function canonical(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }

  async function verifyInclusion(leaf, index, size, proof, root) {
    if (!(index >= 0 && index < size)) throw new Error("the leaf index is outside the tree");
    let fn = index, sn = size - 1, result = leaf;
    for (const sibling of proof) {
      if (sn === 0) throw new Error("the proof is longer than the tree is deep");
      if (fn % 2 === 1 || fn === sn) {
        result = await node(sibling, result);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        result = await node(result, sibling);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("the proof is shorter than the tree is deep");
    if (!equal(result, root)) throw new Error("the inclusion proof does not lead to the checkpoint's root");
  }

  async function signedBy(text, signatures, keyText) {
    const [name, keyId, encoded] = [keyText.split("+")[0], keyText.split("+")[1], keyText.split("+").slice(2).join("+")];
    const raw = fromBase64(encoded);
    if (raw.length !== 33 || raw[0] !== 1) return false;
    const id = (await sha256(encoder.encode(name + "\n"), raw)).slice(0, 4);
    if (toHex(id) !== keyId) return false;
    const key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    for (const signature of signatures) {
      if (signature.name !== name || !equal(signature.id, id)) continue;
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, signature.bytes, encoder.encode(text))) return name;
    }
    return false;
  }

  async function verify(receipt, keys) {
    const steps = [];
    const proof = receipt.proof;
    const content = {};
    for (const field of receipt.hashed_fields) content[field] = receipt[field];
    const fingerprint = toHex(await sha256(encoder.encode(canonical({ content: content, prev: "" }))));
    if (fingerprint !== receipt.record_hash) throw new Error("the receipt's content does not give its fingerprint");
    steps.push("fingerprint " + fingerprint.slice(0, 16) + "… from " + receipt.hashed_fields.length + " fields");
    const leaf = await sha256(Uint8Array.of(0), Uint8Array.from(fingerprint.match(/../g), (h) => parseInt(h, 16)));
    if (!equal(leaf, fromBase64(proof.leaf_hash))) throw new Error("the leaf is not this record's");
    const note = proof.checkpoint;
    const cut = note.lastIndexOf("\n\n");
    const text = note.slice(0, cut + 1);
    const signatures = note.slice(cut + 2).trim().split("\n").map((line) => {
      const bytes = fromBase64(line.split(" ")[2]);
      return { name: line.split(" ")[1], id: bytes.slice(0, 4), bytes: bytes.slice(4) };
    });
    const [origin, size, root] = text.split("\n");
    if (origin !== proof.origin || Number(size) !== proof.tree_size) throw new Error("the checkpoint is for another log");
    await verifyInclusion(leaf, proof.leaf_index, proof.tree_size, proof.inclusion_proof.map(fromBase64), fromBase64(root));
    steps.push("entry " + proof.leaf_index + " of " + size + " in " + origin);
    let signer = false;
    for (const key of keys) { signer = signer || await signedBy(text, signatures, key); }
    if (!signer) throw new Error("the checkpoint is not signed by the log's key");
    steps.push("checkpoint signed by " + signer);
    return steps;
  }

  button.addEventListener("click", async () => {
    out.textContent = button.dataset.running;
    out.className = "";
    try {
      const steps = await verify(JSON.parse(data.textContent), JSON.parse(document.getElementById("log-keys").textContent));
      out.className = "message message-success";
      out.textContent = button.dataset.ok + " " + steps.join("; ") + ".";
    } catch (error) {
      out.className = "message message-error";
      const unsupported = error && error.name === "NotSupportedError";
      out.textContent = unsupported ? button.dataset.unsupported : button.dataset.failed + " " + error.message;
    }
  });
})();
