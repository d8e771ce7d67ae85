/**
 * Electron main: hosts `startGateway()` from src/ in-process and adds what only a desktop app
 * does — single instance, tray with live spend, the dashboard window, notifications, keys in
 * the OS keychain, open at login, clean shutdown. No metering, store or sync logic lives here.
 */
import { app, clipboard, dialog, Notification, powerMonitor } from 'electron';
import {
  configFromEnv,
  defaultDataDir,
  PortInUseError,
  readSavedLayers,
  resolveConfig,
  startGateway,
  type Gateway,
  type NumberedEvent,
} from '../src/index.js';
import { SafeStorageSecretStore } from './secrets.js';
import { createWindow } from './window.js';
import { registerIpc } from './ipc.js';
import { AppTray } from './tray.js';
import { TrayThrottle, trayTooltip, type TrayInput } from './logic/tray-text.js';
import type { MenuAction } from './logic/menu-model.js';
import { NotificationLimiter, notificationFor, type AppEvent } from './logic/notifications.js';
import { quitChoice, quitPrompt } from './logic/quit-prompt.js';

let quitting = false;
let gateway: Gateway | undefined;
let window: Electron.BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) app.quit();
else
  main().catch((e: unknown) => {
    // A start-up that fails (data dir used by a `lava-desktop serve`, unwritable, bad config) is shown, never silent.
    dialog.showErrorBox('Lava Desktop cannot start', (e as Error).message ?? String(e));
    app.exit(1);
  });

async function main(): Promise<void> {
  await app.whenReady();
  app.on('second-instance', () => showWindow());
  app.on('window-all-closed', () => undefined); // keep running in the tray
  // The core's rule (LAVA_DESKTOP_DATA_DIR, else the OS app-data folder): the app and `serve` share one.
  const dataDir = defaultDataDir();
  const secretStore = new SafeStorageSecretStore(dataDir);
  const layers = {
    saved: readSavedLayers(dataDir).saved,
    secrets: await secretStore.read(),
    env: configFromEnv(process.env),
  };
  const config = resolveConfig(layers);
  try {
    gateway = await startGateway({ layers, dataDir, secretStore });
  } catch (e) {
    if (!(e instanceof PortInUseError)) throw e;
    gateway = await startGateway({ layers, dataDir, secretStore, port: 0 });
    notify({ type: 'port-in-use', wanted: config.port, got: gateway.port });
  }
  const gw = gateway;
  registerIpc(() => ({ url: gw.url, token: gw.adminToken, dataDir }));
  const tray = new AppTray(onMenu, () => showWindow());
  const throttle = new TrayThrottle();
  let pending: TrayInput | undefined;
  const refresh = async () => {
    pending = await gw.summary();
    if (throttle.offer(trayTooltip(pending) + JSON.stringify(pending), Date.now())) tray.update(pending);
  };
  setInterval(
    () => pending && throttle.offer(trayTooltip(pending) + JSON.stringify(pending), Date.now()) && tray.update(pending),
    1000,
  ).unref();
  gw.events.on('event', (n: NumberedEvent) => {
    if (n.event.type !== 'request.started') void refresh();
    notify(n.event);
  });
  await refresh();
  if (!app.getLoginItemSettings().wasOpenedAtLogin) showWindow();
  if (process.env.LAVA_DESKTOP_AUTO_UPDATE === '1') {
    // Off by default until a release feed exists (electron-builder.yml `publish`).
    // An optional dependency: an app packaged without it simply does not update itself.
    await import('electron-updater').then(
      ({ autoUpdater }) => void autoUpdater.checkForUpdatesAndNotify().catch(() => undefined),
      () => undefined,
    );
  }

  app.on('before-quit', (e) => {
    if (quitting) return;
    e.preventDefault();
    quitting = true;
    void confirmQuit(gw).then((go) => {
      if (go) shutDown(gw, tray);
      else quitting = false;
    });
  });
  powerMonitor.on('shutdown', () => app.quit());
}

/** With tools still connected, asks whether to disconnect them first (or not to quit); true to go on. */
async function confirmQuit(gw: Gateway): Promise<boolean> {
  const tools = await gw.connectedTools().catch(() => []);
  const prompt = quitPrompt(tools);
  if (!prompt) return true;
  const { response } = await dialog.showMessageBox({ type: 'question', ...prompt });
  const choice = quitChoice(response);
  if (choice === 'cancel') return false;
  if (choice === 'disconnect')
    for (const t of tools)
      await gw.disconnect(t.id).catch((err: Error) => dialog.showErrorBox(`Cannot disconnect ${t.name}`, err.message));
  return true;
}

function shutDown(gw: Gateway, tray: { destroy(): void }): void {
  tray.destroy();
  void gw.stop(5000).then(
    (r) => {
      if (r.unwritten > 0)
        dialog.showErrorBox(
          'Lava Desktop could not save every record',
          `${r.unwritten} records could not be written (${r.error}). ${r.savedTo ? `They were saved to ${r.savedTo} and are stored at the next start.` : 'They are lost.'}`,
        );
      app.exit(r.unwritten > 0 ? 1 : 0);
    },
    () => app.exit(1),
  );
}

function showWindow(page = ''): void {
  if (!gateway) return;
  if (!window || window.isDestroyed()) window = createWindow(gateway.url, page, () => quitting);
  else {
    if (page) void window.loadURL(`${gateway.url}/#/${page}`);
    window.show();
    window.focus();
  }
}

function onMenu(action: MenuAction): void {
  const gw = gateway!;
  if (action === 'open-dashboard') showWindow();
  else if (action === 'open-sync') showWindow('sync');
  else if (action === 'copy-base-url') clipboard.writeText(gw.url);
  else if (action === 'quit') app.quit();
  else if (action === 'toggle-pause') {
    if (gw.paused) gw.resume();
    else gw.pause();
  } else if (action.startsWith('resume-tool:')) gw.resumeTool(action.slice('resume-tool:'.length));
  else if (action.startsWith('copy-env:')) clipboard.writeText(gw.snippet(action.slice('copy-env:'.length)) ?? gw.url);
}

const limiter = new NotificationLimiter();
let syncFailingSince: number | undefined;

function notify(e: AppEvent): void {
  const now = Date.now();
  if (e.type === 'sync.status') {
    const state = (e as { status: { state: string } }).status.state;
    syncFailingSince = state === 'retrying' ? (syncFailingSince ?? now) : undefined;
  }
  const n = notificationFor(e, now, syncFailingSince);
  if (!n || !limiter.allow(n.key, now) || !Notification.isSupported()) return;
  const note = new Notification({ title: n.title, body: n.body });
  note.on('click', () => showWindow(n.page));
  note.show();
}
