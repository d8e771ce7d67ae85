/**
 * Security policy of the window, as pure functions: the window may only show the gateway's own
 * origin (anything else opens in the system browser, if it is http(s)), and IPC is answered only
 * for frames of that origin.
 */
export function isGatewayUrl(url: string, gatewayOrigin: string): boolean {
  try {
    return new URL(url).origin === gatewayOrigin;
  } catch {
    return false;
  }
}

export type NavigationDecision = 'allow' | 'open-externally' | 'deny';

export function navigationDecision(url: string, gatewayOrigin: string): NavigationDecision {
  if (isGatewayUrl(url, gatewayOrigin)) return 'allow';
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? 'open-externally' : 'deny';
  } catch {
    return 'deny';
  }
}

/** An IPC call is answered only when it comes from a frame showing the gateway's origin. */
export function senderAllowed(senderUrl: string | undefined, gatewayOrigin: string): boolean {
  return senderUrl !== undefined && isGatewayUrl(senderUrl, gatewayOrigin);
}
