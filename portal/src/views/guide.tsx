/* How to receive the webhooks: what arrives, how to check it, and code to copy. */
import { useState } from 'preact/hooks';
import { SNIPPETS } from '../snippets';
import { Code, Heading } from '../ui';

const LIBRARIES = 'https://github.com/standard-webhooks/standard-webhooks/tree/main/libraries';

export function Guide() {
  const [chosen, setChosen] = useState(SNIPPETS[0]?.id ?? '');
  const snippet = SNIPPETS.find((item) => item.id === chosen) ?? SNIPPETS[0];
  return (
    <>
      <Heading>Receiving webhooks</Heading>
      <p class="lead">
        Each webhook is an HTTPS POST to your endpoint with a JSON body, signed with your endpoint's secret as the{' '}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> specification says.
      </p>
      <section aria-labelledby="steps-title" class="panel">
        <h2 id="steps-title">What your server does</h2>
        <ol class="steps">
          <li>Read the body as raw bytes, before any JSON parser: the signature covers the exact bytes sent.</li>
          <li>
            Verify the signature with the endpoint's secret (<code>whsec_…</code>, shown when you add the endpoint or
            rotate its secret), and refuse the request when it fails.
          </li>
          <li>
            Answer with a 2xx status within seconds, and do slow work after answering. Anything else, or no answer in
            time, is retried later, for hours; answering <code>410 Gone</code> disables the endpoint.
          </li>
          <li>
            Keep the <code>webhook-id</code> of what you handled: a retry or a resend carries the same id, so you can
            skip a repeat.
          </li>
        </ol>
      </section>
      <section aria-labelledby="headers-title" class="panel">
        <h2 id="headers-title">Headers you receive</h2>
        <dl class="headers">
          <div>
            <dt>webhook-id</dt>
            <dd>The message's id: the same on every attempt.</dd>
          </div>
          <div>
            <dt>webhook-timestamp</dt>
            <dd>When this attempt was signed, in Unix seconds; refuse one too far from your clock (a replay).</dd>
          </div>
          <div>
            <dt>webhook-signature</dt>
            <dd>
              <code>v1,</code> and the base64 HMAC-SHA256 of <code>id.timestamp.body</code>; several, separated by
              spaces, while a rotated secret is still valid.
            </dd>
          </div>
          <div>
            <dt>content-type</dt>
            <dd>
              <code>application/json</code>
            </dd>
          </div>
        </dl>
      </section>
      <section aria-labelledby="code-title" class="panel">
        <h2 id="code-title">Code to verify them</h2>
        <div class="field">
          <label for="guide-language">Language</label>
          <select id="guide-language" value={chosen} onChange={(event) => setChosen(event.currentTarget.value)}>
            {SNIPPETS.map((item) => (
              <option key={item.id} value={item.id}>
                {item.language}
              </option>
            ))}
          </select>
        </div>
        {snippet && (
          <>
            <Code code={snippet.install} label={`Install (${snippet.language})`} />
            <Code code={snippet.code} label={`Receiver (${snippet.language})`} />
          </>
        )}
        <p>
          Other languages (C#, Java, Kotlin, PHP, Ruby, Rust, Elixir): use the{' '}
          <a href={LIBRARIES}>Standard Webhooks libraries</a>; each verifies these webhooks with your secret as shown.
        </p>
      </section>
    </>
  );
}
