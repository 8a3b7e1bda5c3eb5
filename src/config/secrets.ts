// Secrets at rest: a key derived from the local password with scrypt, AES-256-GCM with a random 12-byte nonce,
// and associated data naming the field (and user) the secret belongs to, so a sealed value copied elsewhere in
// the file does not open. The salt is random per local password and recorded in every envelope, so each
// envelope opens on its own; one derivation per run serves them all.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { HextsError } from "../errors.js";
import type { Sealed } from "./schema.js";

export interface KdfParams {
  n: number;
  r: number;
  p: number;
}

/** OWASP's scrypt floor for password storage: N=2^17, r=8, p=1 (128 MiB, about half a second). */
export const DEFAULT_KDF: KdfParams = { n: 2 ** 17, r: 8, p: 1 };

const CHECK_PLAINTEXT = "hexts local password check";
const CHECK_AAD = ["local_password", "check"];

function deriveKey(password: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const maxmem = 256 * params.n * params.r + 1024 * 1024;
    scrypt(password.normalize("NFC"), salt, 32, { N: params.n, r: params.r, p: params.p, maxmem }, (err, key) =>
      err ? reject(err) : resolvePromise(key),
    );
  });
}

/** The associated data: a versioned label plus the parts naming where the secret lives. */
function aadOf(parts: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify(["hexts-secret", 1, ...parts]), "utf8");
}

/** Thrown when a sealed value does not open with a key that opened the password check. */
export class SecretUnreadableError extends Error {}

/** The local password for one run, with the keys derived from it cached by salt. */
export class Keyring {
  private readonly keys = new Map<string, Promise<Buffer>>();
  private readonly password: string;
  /** Salt and cost used for new envelopes. */
  readonly salt: Buffer;
  readonly params: KdfParams;

  private constructor(password: string, salt: Buffer, params: KdfParams) {
    this.password = password;
    this.salt = salt;
    this.params = params;
  }

  /** A keyring for a new local password: fresh random salt. */
  static fresh(password: string, params: KdfParams = DEFAULT_KDF): Keyring {
    if (password === "") throw new HextsError("USAGE", "the local password cannot be empty");
    return new Keyring(password, randomBytes(16), params);
  }

  /** The keyring matching an existing password check, or undefined when the password is wrong. */
  static async unlock(password: string, check: Sealed): Promise<Keyring | undefined> {
    const ring = new Keyring(password, Buffer.from(check.salt, "base64"), { n: check.n, r: check.r, p: check.p });
    try {
      return (await ring.open(check, CHECK_AAD)) === CHECK_PLAINTEXT ? ring : undefined;
    } catch (e) {
      if (e instanceof SecretUnreadableError) return undefined;
      throw e;
    }
  }

  /** Whether this keyring's password is the one `check` was made with. */
  async matches(check: Sealed): Promise<boolean> {
    // Through this keyring's cache: the key for this salt was derived once, and scrypt costs half a second.
    try {
      return (await this.open(check, CHECK_AAD)) === CHECK_PLAINTEXT;
    } catch (e) {
      if (e instanceof SecretUnreadableError) return false;
      throw e;
    }
  }

  /** The keyring for another check made with the same password (after another process changed the salt). */
  async rebind(check: Sealed): Promise<Keyring | undefined> {
    if (check.salt === this.salt.toString("base64")) return (await this.matches(check)) ? this : undefined;
    return Keyring.unlock(this.password, check);
  }

  private key(salt: Buffer, params: KdfParams): Promise<Buffer> {
    const id = `${salt.toString("base64")}:${params.n}:${params.r}:${params.p}`;
    let key = this.keys.get(id);
    if (!key) {
      key = deriveKey(this.password, salt, params);
      this.keys.set(id, key);
    }
    return key;
  }

  async seal(plaintext: string, aad: readonly string[]): Promise<Sealed> {
    const key = await this.key(this.salt, this.params);
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(aadOf(aad));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return {
      v: 1,
      kdf: "scrypt",
      ...this.params,
      salt: this.salt.toString("base64"),
      nonce: nonce.toString("base64"),
      ct: ct.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
    };
  }

  /** Opens a sealed value; SecretUnreadableError when the key or the associated data do not match. */
  async open(sealed: Sealed, aad: readonly string[]): Promise<string> {
    const key = await this.key(Buffer.from(sealed.salt, "base64"), { n: sealed.n, r: sealed.r, p: sealed.p });
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.nonce, "base64"));
      decipher.setAAD(aadOf(aad));
      decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ct, "base64")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretUnreadableError("sealed value does not open");
    }
  }

  /** The envelope recorded as `local_password.check`. */
  makeCheck(): Promise<Sealed> {
    return this.seal(CHECK_PLAINTEXT, CHECK_AAD);
  }
}
