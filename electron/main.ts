/**
 * Electron main process (placeholder). The desktop shell hosts `startGateway()` from `src/`
 * in-process and adds tray, window and secure key storage; it is built in its own issue.
 */
export const ELECTRON_PLACEHOLDER = true;
