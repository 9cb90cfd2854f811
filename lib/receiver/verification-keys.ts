import { WebhookSecretError } from '../errors';
import { PUBLIC_KEY_PREFIX } from '../signing';
import { parseVerificationKey } from '../signing/signing-keys';

/**
 * A key as a receiver was given it, with the label its messages name it by (`webhookMiddleware(options):
 * secrets[1]`, `--secret #2`), never by its value.
 */
export interface NamedKey {
  readonly label: string;
  readonly value: unknown;
  /**
   * `any`: a `whsec_` secret or a `whpk_` key; `public-key`: only `whpk_`; `secret`: only `whsec_`, and an
   * ed25519 key is refused with a hint to `publicKeyOption`.
   */
  readonly kind: 'any' | 'public-key' | 'secret';
  readonly publicKeyOption?: string;
}

/**
 * Checks every key once, when the receiver is created, so that a typo fails at startup rather than on the
 * first request; `noKey` says how to give one. Throws `WebhookSecretError`, naming the key by its label.
 */
export function checkVerificationKeys(keys: readonly NamedKey[], noKey: string): string[] {
  if (keys.length === 0) throw new WebhookSecretError('invalid-secret', noKey);
  return keys.map(({ label, value, kind, publicKeyOption }) => {
    const key = typeof value === 'string' ? value : '';
    if (kind === 'public-key' && !key.startsWith(PUBLIC_KEY_PREFIX)) {
      throw new WebhookSecretError(
        'invalid-key',
        `${label} must be a '${PUBLIC_KEY_PREFIX}' ed25519 public key; a 'whsec_' secret goes in secret, and the ` +
          "'whsk_' private key stays with the sender.",
      );
    }
    if (kind === 'secret' && (key.startsWith(PUBLIC_KEY_PREFIX) || key.startsWith('whsk_'))) {
      throw new WebhookSecretError(
        'invalid-secret',
        `${label}: this is an ed25519 key, not a whsec_ secret; pass the ${PUBLIC_KEY_PREFIX} public key with ` +
          `${publicKeyOption ?? 'publicKey'}.`,
      );
    }
    try {
      parseVerificationKey(value as string);
    } catch (error) {
      if (!(error instanceof WebhookSecretError)) throw error;
      throw new WebhookSecretError(error.code, `${label}: ${error.message}`, { cause: error });
    }
    return key;
  });
}

/** The keys of an options object's `secret`, `secrets` and `publicKey`, labelled `${where}: secrets[1]`. */
export function keysOfOptions(
  options: { readonly secret?: unknown; readonly secrets?: unknown; readonly publicKey?: unknown },
  where: string,
): NamedKey[] {
  const { secret, secrets, publicKey } = options;
  if (secrets !== undefined && !Array.isArray(secrets)) {
    throw new WebhookSecretError('invalid-secret', `${where}: secrets must be an array of keys.`);
  }
  return [
    ...(secret !== undefined ? [{ label: `${where}: secret`, value: secret, kind: 'any' as const }] : []),
    ...((secrets as unknown[] | undefined) ?? []).map((value, index) => ({
      label: `${where}: secrets[${index}]`,
      value,
      kind: 'any' as const,
    })),
    ...(publicKey !== undefined
      ? [{ label: `${where}: publicKey`, value: publicKey, kind: 'public-key' as const }]
      : []),
  ];
}
