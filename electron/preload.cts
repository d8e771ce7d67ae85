/**
 * The window's preload (sandboxed, CommonJS): one object, `window.lavaDesktop`, that hands the
 * dashboard its session (so the admin token never appears in a URL) and a few desktop actions.
 */
import { contextBridge, ipcRenderer } from 'electron';

contextBridge.exposeInMainWorld('lavaDesktop', {
  session: (): Promise<{ url: string; token: string; version: string }> => ipcRenderer.invoke('lava:session'),
  setOpenAtLogin: (on: boolean): Promise<boolean> => ipcRenderer.invoke('lava:open-at-login', on),
  revealDataDir: (): Promise<void> => ipcRenderer.invoke('lava:reveal-data-dir'),
  copyBaseUrl: (): Promise<void> => ipcRenderer.invoke('lava:copy-base-url'),
});
