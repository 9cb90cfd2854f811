/* Times in the viewer's own zone and language, as the browser's Intl knows them. */

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});
const ZONE = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/** `3 Dec 2026, 14:05:09`, in the viewer's zone. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE_TIME.format(date);
}

/** The viewer's zone, as `GMT+1` or `CET`: said once per page, so times need not repeat it. */
export function zoneName(): string {
  return ZONE.formatToParts(new Date()).find((part) => part.type === 'timeZoneName')?.value ?? 'local time';
}

/** An ISO time from a `datetime-local` field's value, read in the viewer's zone. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A `datetime-local` field's value for an ISO time, in the viewer's zone. */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
