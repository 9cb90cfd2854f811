/* Small pieces every view uses: loading, error, empty states, times, badges, copy buttons, gates. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { formatTime } from './format';
import { CAPABILITY_LABELS, can, usePortal } from './session';
import type { Capability, DeliveryState } from './wire';

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNotice({ error, retry }: { error: unknown; retry?: () => void }) {
  const detail = error instanceof ApiError ? error.message : 'Something went wrong in this page. Reload it.';
  return (
    <div class="notice notice-error" role="alert">
      <p>{detail}</p>
      {retry && (
        <button type="button" class="button-secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Success({ children }: { children: ComponentChildren }) {
  return (
    <div class="notice notice-success" role="status">
      {children}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}

const STATE_LABELS: Readonly<Record<DeliveryState, string>> = {
  pending: 'Pending',
  failing: 'Failing, will retry',
  delivered: 'Delivered',
  exhausted: 'Failed',
  disabled: 'Skipped (endpoint disabled)',
  cancelled: 'Cancelled',
};

export function StateBadge({ state }: { state: DeliveryState }) {
  return <span class={`badge badge-${state}`}>{STATE_LABELS[state]}</span>;
}

export function stateLabel(state: DeliveryState): string {
  return STATE_LABELS[state];
}

/**
 * Shows its children when the token has the capability; otherwise a sentence saying what is missing, so
 * that a control is never silently absent.
 */
export function Gate({ needs, children }: { needs: readonly Capability[]; children: ComponentChildren }) {
  const { session } = usePortal();
  const missing = needs.filter((capability) => !can(session, capability));
  if (missing.length === 0) return <>{children}</>;
  return (
    <p class="gate">
      This link does not allow you to {missing.map((capability) => CAPABILITY_LABELS[capability]).join(' or ')}. Ask
      your provider for a link that does.
    </p>
  );
}

/** A copy button; `label` names what it copies, for screen readers (`Copy` is all it shows when `short`). */
export function CopyButton({ text, label, short = false }: { text: string; label: string; short?: boolean }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="button-secondary button-small" onClick={copy} aria-label={short ? label : undefined}>
        {short ? 'Copy' : label}
      </button>
      <span class="copy-status" role="status">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Copying is blocked here: select the text instead.' : ''}
      </span>
    </span>
  );
}

/** A code block with a copy button; keyboard users can scroll it (it is focusable) when it is wider than the screen. */
export function Code({ code, label }: { code: string; label: string }) {
  return (
    <div class="code" role="region" aria-label={label}>
      <div class="code-bar">
        <span class="code-label">{label}</span>
        <CopyButton text={code} label={`Copy ${label.toLowerCase()}`} short />
      </div>
      <pre tabIndex={0}>
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** A wide table that scrolls sideways on a phone, reachable by keyboard. */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/** Whether a view was shown already: the first one leaves the focus at the page's start (the skip link). */
let viewShown = false;

/**
 * The view's heading, focused when the customer moves to another view, so that screen readers announce
 * the new page and Tab continues from it.
 */
export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (viewShown) ref.current?.focus();
    viewShown = true;
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/**
 * Loads with `load` on mount and when `deps` change; `reload` loads again. What a load answered is shown
 * only while `deps` are those it was loaded for: on another page or record the view is loading at once,
 * in the same render, so nothing on screen mixes two loads (a page number beside the last page's rows, a
 * Next button holding the last page's cursor). A `reload` keeps the data on screen until the fresh data
 * arrives.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean; deps?: readonly unknown[] }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false, deps }),
      (error: unknown) => current && setState({ error, loading: false, deps }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = () => setRound((n) => n + 1);
  const { data, error, loading } = state;
  if (!sameDeps(state.deps, deps)) return { data: undefined, error: undefined, loading: true, reload };
  return { data, error, loading, reload };
}

function sameDeps(loaded: readonly unknown[] | undefined, wanted: readonly unknown[]): boolean {
  return loaded !== undefined && loaded.length === wanted.length && loaded.every((dep, n) => Object.is(dep, wanted[n]));
}
