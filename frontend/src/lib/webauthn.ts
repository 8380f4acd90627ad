// Passkeys in the browser (WebAuthn) with plain `navigator.credentials` and two base64url
// helpers: the server sends the options as JSON with binary fields base64url-encoded
// (webauthn-rs), and takes the browser's answer back the same way.

export function b64uToBytes(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function bytesToB64u(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Whether this browser can use passkeys at all. */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && !!window.PublicKeyCredential && !!navigator.credentials;
}

type Json = Record<string, unknown>;

/** Runs the browser's ceremony; its DOMExceptions become errors a person can read. */
async function browser<T>(f: () => Promise<T>): Promise<T> {
  if (!passkeysSupported()) throw new Error('This browser cannot use passkeys.');
  try {
    return await f();
  } catch (e) {
    throw new Error(passkeyErrorMessage(e) ?? (e instanceof Error ? e.message : String(e)));
  }
}
type Descriptor = { id: string; type: string; transports?: string[] };

const descriptors = (list: unknown): PublicKeyCredentialDescriptor[] | undefined =>
  Array.isArray(list)
    ? (list as Descriptor[]).map((d) => ({ ...d, type: 'public-key', id: b64uToBytes(d.id) }) as PublicKeyCredentialDescriptor)
    : undefined;

/** `navigator.credentials.create` for the server's `{publicKey}` creation options; the answer as JSON. */
export async function createPasskey(options: { publicKey: Json }): Promise<Json> {
  const o = options.publicKey;
  const user = o.user as Json;
  const publicKey = {
    ...o,
    challenge: b64uToBytes(o.challenge as string),
    user: { ...user, id: b64uToBytes(user.id as string) },
    excludeCredentials: descriptors(o.excludeCredentials),
  } as unknown as PublicKeyCredentialCreationOptions;
  const cred = (await browser(() => navigator.credentials.create({ publicKey }))) as PublicKeyCredential | null;
  if (!cred) throw new Error('No passkey was created.');
  const r = cred.response as AuthenticatorAttestationResponse;
  return {
    id: cred.id,
    rawId: bytesToB64u(cred.rawId),
    type: cred.type,
    response: {
      attestationObject: bytesToB64u(r.attestationObject),
      clientDataJSON: bytesToB64u(r.clientDataJSON),
      transports: typeof r.getTransports === 'function' ? r.getTransports() : undefined,
    },
    extensions: cred.getClientExtensionResults(),
  };
}

/** `navigator.credentials.get` for the server's `{publicKey}` request options; the answer as JSON. */
export async function getPasskey(options: { publicKey: Json }): Promise<Json> {
  const o = options.publicKey;
  const publicKey = {
    ...o,
    challenge: b64uToBytes(o.challenge as string),
    allowCredentials: descriptors(o.allowCredentials),
  } as unknown as PublicKeyCredentialRequestOptions;
  const cred = (await browser(() => navigator.credentials.get({ publicKey }))) as PublicKeyCredential | null;
  if (!cred) throw new Error('No passkey answered.');
  const r = cred.response as AuthenticatorAssertionResponse;
  return {
    id: cred.id,
    rawId: bytesToB64u(cred.rawId),
    type: cred.type,
    response: {
      authenticatorData: bytesToB64u(r.authenticatorData),
      clientDataJSON: bytesToB64u(r.clientDataJSON),
      signature: bytesToB64u(r.signature),
      userHandle: r.userHandle ? bytesToB64u(r.userHandle) : undefined,
    },
    extensions: cred.getClientExtensionResults(),
  };
}

/** A person-readable message for a browser-side WebAuthn failure (cancelled, timed out…). */
export function passkeyErrorMessage(e: unknown): string | null {
  if (e instanceof DOMException) {
    if (e.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out. Try again.';
    if (e.name === 'InvalidStateError') return 'This passkey is registered already.';
    if (e.name === 'SecurityError') return 'Passkeys do not work at this address. Open the portal at its usual address.';
    return `The passkey did not work (${e.name}).`;
  }
  return null;
}
