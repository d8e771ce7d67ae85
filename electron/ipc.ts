/** IPC handlers; each one first checks that the calling frame shows the gateway's own origin. */
import { app, clipboard, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import { senderAllowed } from './logic/policy.js';

export interface IpcState {
  url: string;
  token: string;
  dataDir: string;
}

export function registerIpc(state: () => IpcState): void {
  const guard = (e: IpcMainInvokeEvent) => {
    if (!senderAllowed(e.senderFrame?.url, state().url)) throw new Error('refused: not the Lava Desktop dashboard');
  };
  ipcMain.handle('lava:session', (e) => {
    guard(e);
    return { url: state().url, token: state().token, version: app.getVersion() };
  });
  ipcMain.handle('lava:open-at-login', (e, on: unknown) => {
    guard(e);
    app.setLoginItemSettings({ openAtLogin: on === true });
    return app.getLoginItemSettings().openAtLogin;
  });
  ipcMain.handle('lava:reveal-data-dir', async (e) => {
    guard(e);
    await shell.openPath(state().dataDir);
  });
  ipcMain.handle('lava:copy-base-url', (e) => {
    guard(e);
    clipboard.writeText(state().url);
  });
}
