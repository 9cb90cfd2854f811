/** Why a string is not strict, canonical, standard base64 (RFC 4648 section 4, with padding). */
export type Base64Problem = 'empty' | 'alphabet' | 'padding' | 'non-canonical';

/** The bytes of a strict base64 string, or why it is not one. */
export type StrictBase64Result =
  { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly problem: Base64Problem };

const BASE64_CHARACTERS = /^[A-Za-z0-9+/=]*$/;
const PADDED_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes standard base64 strictly. Node's `Buffer.from(text, 'base64')` skips characters it does not
 * know and stops at stray padding, so a typo silently becomes a shorter or different key; here the
 * input must be exactly what `Buffer#toString('base64')` would produce for its bytes: the standard
 * alphabet (not base64url), padding to a multiple of 4 characters, and no leftover bits.
 */
export function decodeStrictBase64(text: string): StrictBase64Result {
  if (text.length === 0) return { ok: false, problem: 'empty' };
  if (!BASE64_CHARACTERS.test(text)) return { ok: false, problem: 'alphabet' };
  if (!PADDED_BASE64.test(text) || text.length % 4 !== 0) return { ok: false, problem: 'padding' };
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches the last character carrying bits that belong to no byte (`YR==` reads as `a`).
  if (bytes.toString('base64') !== text) return { ok: false, problem: 'non-canonical' };
  return { ok: true, bytes };
}

/**
 * Says what a {@link Base64Problem} means, as the end of a sentence about the encoded text. It names
 * rules only, never characters of the text, because the text is usually a secret.
 */
export function describeBase64Problem(problem: Base64Problem): string {
  switch (problem) {
    case 'empty':
      return 'is empty';
    case 'alphabet':
      return (
        'contains a character outside standard base64 (A-Z, a-z, 0-9, "+", "/", and "=" as trailing padding); ' +
        'base64url ("-", "_"), whitespace and line breaks are not accepted'
      );
    case 'padding':
      return (
        'is not correctly padded: standard base64 comes in groups of 4 characters, ' +
        'the last group ending in at most two "="'
      );
    case 'non-canonical':
      return 'does not decode exactly: its last character carries bits that belong to no byte, so it was probably mistyped or truncated';
  }
}
