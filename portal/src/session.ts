/* What every view needs: the API client, the session (owner and capabilities), and navigation. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PortalApi } from './api';
import type { Capability, Session } from './wire';

export interface PortalContext {
  readonly api: PortalApi;
  readonly session: Session;
  /** A secret to show once, on the page of the endpoint it belongs to. */
  readonly revealed: { readonly endpointId: string; readonly secret: string } | undefined;
  reveal(endpointId: string, secret: string | undefined): void;
}

export const Portal = createContext<PortalContext | undefined>(undefined);

export function usePortal(): PortalContext {
  const portal = useContext(Portal);
  if (portal === undefined) throw new Error('usePortal outside <Portal.Provider>');
  return portal;
}

export function can(session: Session, capability: Capability): boolean {
  return session.capabilities.includes(capability);
}

/** What each capability lets a customer do, in the words the page uses to explain a hidden control. */
export const CAPABILITY_LABELS: Readonly<Record<Capability, string>> = {
  view: 'view endpoints and deliveries',
  'manage-endpoints': 'add, change and delete endpoints',
  'view-secret': 'see signing secrets',
  resend: 'resend and recover deliveries',
};

export function navigate(hash: string): void {
  window.location.hash = hash;
}
