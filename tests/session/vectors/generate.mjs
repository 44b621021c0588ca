// Session-token test vectors made by NextAuth itself (next-auth 4 and @auth/core).
//
// Install NextAuth outside the repository (never commit node_modules):
//
//   mkdir -p /tmp/authmw-node-vectors && cd /tmp/authmw-node-vectors
//   npm init -y && npm install next-auth@4 @auth/core
//
// Regenerate the committed vectors (from the repository root):
//
//   AUTHMW_NODE_VECTORS_DIR=/tmp/authmw-node-vectors \
//     node tests/session/vectors/generate.mjs > tests/session/vectors/vectors.json
//
// Decode tokens made elsewhere (used by tests/session/test_jwt.py to prove NextAuth reads
// authmw's tokens): stdin is a JSON array of {scheme, token, secret, salt}; stdout is a JSON
// array of the decoded payloads, null where NextAuth refused the token.
//
//   node tests/session/vectors/generate.mjs decode < tokens.json
//
// Generated with next-auth 4.24.15, @auth/core 0.34.3 (jose 5.10.0).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.AUTHMW_NODE_VECTORS_DIR ?? "/tmp/authmw-node-vectors";
const require = createRequire(join(dir, "package.json"));
const v4 = require("next-auth/jwt");
const v5 = await import(pathToFileURL(require.resolve("@auth/core/jwt")).href);

const FAR_FUTURE = 100 * 365 * 24 * 60 * 60; // about a century: vectors never expire
const SECRET_V4 = "authmw-vector-secret-v4-0123456789abcdef";
const SECRET_V5 = "authmw-vector-secret-v5-0123456789abcdef";
const SECRET_NEW = "authmw-vector-secret-new-fedcba9876543210";

const user = {
  name: "Ada Lovelace",
  email: "ada@example.com",
  picture: "https://example.com/ada.png",
  sub: "0f7c3a52-6f1e-4c2b-9f0a-3d1e2b4c5a6f",
};
const large = {
  ...user,
  name: "Zoë 🦊 Ünïcødé",
  roles: ["admin", "editor", "viewer"],
  nested: { a: [1, 2.5, null, true, false], b: { c: "d" } },
  accessToken: "x".repeat(2500),
  idToken: "y.".repeat(1500),
};

async function encode(scheme, token, secret, salt) {
  if (scheme === "v4") return v4.encode({ token, secret, salt, maxAge: FAR_FUTURE });
  return v5.encode({ token, secret, salt, maxAge: FAR_FUTURE });
}

async function decode(scheme, token, secret, salt) {
  try {
    if (scheme === "v4") return await v4.decode({ token, secret, salt });
    return await v5.decode({ token, secret, salt });
  } catch {
    return null;
  }
}

// id, scheme, claims, secret used to encode, salt; optional decode_secret/decode_salt
// for the Python side, and expect_valid=false for tokens that must be refused.
const cases = [
  ["v4-session", "v4", user, SECRET_V4, ""],
  ["v4-check-cookie", "v4", { value: "state-value", provider: "github" }, SECRET_V4, "next-auth.state"],
  ["v4-large", "v4", large, SECRET_V4, ""],
  ["v5-authjs", "v5", user, SECRET_V5, "authjs.session-token"],
  ["v5-authmw", "v5", user, SECRET_V5, "authmw.session-token"],
  ["v5-secure-prefix", "v5", user, SECRET_V5, "__Secure-authjs.session-token"],
  ["v5-large", "v5", large, SECRET_V5, "authmw.session-token"],
  ["v5-empty-claims", "v5", {}, SECRET_V5, "authmw.session-token"],
  ["v5-rotation-first", "v5", user, [SECRET_NEW, SECRET_V5], "authmw.session-token"],
  ["v5-rotation-old", "v5", user, SECRET_V5, "authmw.session-token",
    { decode_secret: [SECRET_NEW, SECRET_V5] }],
  ["v5-removed-secret", "v5", user, SECRET_V5, "authmw.session-token",
    { decode_secret: [SECRET_NEW], expect_valid: false }],
  ["v5-purpose-confusion", "v5", { value: "state-value", provider: "github" }, SECRET_V5,
    "authmw.state", { decode_salt: "authmw.session-token", expect_valid: false }],
  ["v4-purpose-confusion", "v4", { value: "state-value", provider: "github" }, SECRET_V4,
    "next-auth.state", { decode_salt: "", expect_valid: false }],
];

async function generate() {
  const vectors = [];
  for (const [id, scheme, claims, secret, salt, extra = {}] of cases) {
    const token = await encode(scheme, claims, secret, salt);
    const decodeSecret = extra.decode_secret ?? secret;
    const decodeSalt = extra.decode_salt ?? salt;
    // v4 decode takes one secret; the vectors only list several for v5.
    const payload = await decode(scheme, token, decodeSecret, decodeSalt);
    const expectValid = extra.expect_valid ?? true;
    if ((payload !== null) !== expectValid) throw new Error(`${id}: NextAuth disagrees`);
    vectors.push({
      id,
      scheme,
      secret,
      salt,
      decode_secret: decodeSecret,
      decode_salt: decodeSalt,
      claims,
      token,
      expect_valid: expectValid,
      payload,
    });
  }
  return vectors;
}

async function decodeStdin() {
  const items = JSON.parse(readFileSync(0, "utf8"));
  const out = [];
  for (const { scheme, token, secret, salt } of items) {
    out.push(await decode(scheme, token, secret, salt));
  }
  return out;
}

const result = process.argv[2] === "decode" ? await decodeStdin() : await generate();
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
