/** The tray: icon by state, today's spend in the title (macOS) and tooltip, and the menu from the pure menu model. */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { fileURLToPath } from 'node:url';
import { iconState, trayTitle, trayTooltip, type IconState, type TrayInput } from './logic/tray-text.js';
import { menuModel, type MenuAction, type MenuItemModel } from './logic/menu-model.js';

const icon = (state: IconState) =>
  nativeImage.createFromPath(fileURLToPath(new URL(`../../electron/assets/tray-${state}.png`, import.meta.url)));

export class AppTray {
  private readonly tray: Tray;

  constructor(
    private readonly onAction: (a: MenuAction) => void,
    onClick: () => void,
  ) {
    this.tray = new Tray(icon('running'));
    this.tray.on('click', onClick);
  }

  update(input: TrayInput & { wallet?: { today: string; month: string } }): void {
    this.tray.setImage(icon(iconState(input)));
    if (process.platform === 'darwin') this.tray.setTitle(trayTitle(input));
    this.tray.setToolTip(trayTooltip(input));
    this.tray.setContextMenu(Menu.buildFromTemplate(menuModel(input).map((m) => this.item(m))));
  }

  private item(m: MenuItemModel): MenuItemConstructorOptions {
    if (m.type === 'separator') return { type: 'separator' };
    return {
      label: m.label,
      enabled: m.enabled ?? true,
      click: m.action ? () => this.onAction(m.action!) : undefined,
      submenu: m.submenu?.map((s) => this.item(s)),
    };
  }

  destroy(): void {
    this.tray.destroy();
  }
}
