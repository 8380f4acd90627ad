#!/usr/bin/env python3
"""The RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret, for the scripts that sign in as
the demo's enrolled accounts: `totp.py SECRET [STEPS]` prints the code of the step STEPS after
the current one (default 0; the server accepts one step either side, each code once)."""
import base64, hmac, struct, sys, time

secret = sys.argv[1]
offset = int(sys.argv[2]) if len(sys.argv) > 2 else 0
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30 + offset), "sha1").digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
