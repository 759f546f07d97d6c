/**
 * The security policy of the app window, as data. main.ts applies exactly these
 * values and tests assert them, so flipping a setting fails a test.
 * See https://www.electronjs.org/docs/latest/tutorial/security.
 */

/** The scheme the renderer's own files are served from (instead of file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'radsift';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** BrowserWindow webPreferences (minus `preload`, whose path main.ts adds). */
export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  safeDialogs: true,
});

/**
 * Content-Security-Policy for every document the app serves. No remote origin
 * appears anywhere: scripts, styles, fonts and images come from the app itself
 * or from scan:// (local images behind the path guard).
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'scan:', 'blob:', 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-src': ["'none'"],
  'worker-src': ["'self'", 'blob:'],
});

export function cspHeader(extra: Partial<Record<string, string[]>> = {}): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, values]) => [name, [...values, ...(extra[name] ?? [])]] as const)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Every permission request (camera, notifications, geolocation, …) is denied. */
export function decidePermission(_permission: string): boolean {
  return false;
}

/** The window may only ever show the app itself; any navigation away is blocked. */
export function isNavigationAllowed(targetUrl: string): boolean {
  try {
    const url = new URL(targetUrl);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** window.open and target=_blank never create a window. */
export function decideWindowOpen(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * Network policy: the app makes no network requests. Only the app's own
 * schemes and devtools are let through the session's request filter.
 */
export const ALLOWED_REQUEST_SCHEMES = Object.freeze([`${APP_SCHEME}:`, 'scan:', 'devtools:', 'blob:', 'data:']);

export function isRequestAllowed(requestUrl: string): boolean {
  try {
    return ALLOWED_REQUEST_SCHEMES.includes(new URL(requestUrl).protocol);
  } catch {
    return false;
  }
}

/** IPC is answered only for the app's own top-level document. */
export function isTrustedSenderUrl(senderUrl: string | undefined): boolean {
  if (!senderUrl) return false;
  try {
    const url = new URL(senderUrl);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}
