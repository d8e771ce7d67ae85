/**
 * The dashboard window: the gateway's own page, with context isolation, no Node, the sandbox, and
 * navigation kept on the gateway's origin (http(s) links elsewhere open in the system browser).
 * Closing hides it to the tray; quitting is from the tray menu.
 */
import { BrowserWindow, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { navigationDecision } from './logic/policy.js';

export function createWindow(origin: string, page = '', isQuitting: () => boolean): BrowserWindow {
  const win = new BrowserWindow({
    width: 1180,
    height: 800,
    show: false,
    title: 'Lava Desktop',
    webPreferences: {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  const decide = (url: string) => {
    const d = navigationDecision(url, origin);
    if (d === 'open-externally') void shell.openExternal(url);
    return d;
  };
  win.webContents.on('will-navigate', (e, url) => {
    if (decide(url) !== 'allow') e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    decide(url);
    return { action: 'deny' };
  });
  win.on('close', (e) => {
    if (!isQuitting()) {
      e.preventDefault();
      win.hide();
    }
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${origin}/${page ? `#/${page}` : ''}`);
  return win;
}
