/**
 * On quit, tools still pointed at the gateway lose their models until it runs again (PRODUCT.md
 * §13 "Always on"): the app says which, and offers to disconnect them, to keep them pointed (the
 * next start serves them again, or the background service does), or not to quit.
 */
export interface QuitPrompt {
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

export type QuitChoice = 'disconnect' | 'keep' | 'cancel';

const CHOICES: QuitChoice[] = ['disconnect', 'keep', 'cancel'];

/** The dialog for these connected tools, or undefined when none is connected. */
export function quitPrompt(tools: { name: string }[]): QuitPrompt | undefined {
  if (tools.length === 0) return undefined;
  const names = listOf(tools.map((t) => t.name));
  const one = tools.length === 1;
  return {
    message: `${names} ${one ? 'is' : 'are'} still connected to Lava Desktop`,
    detail:
      `Once Lava Desktop quits, ${one ? 'it' : 'they'} cannot reach ${one ? 'its' : 'their'} models until it runs again. ` +
      'Disconnect restores their own settings; or keep them connected, or run the gateway as a background service ' +
      '(lava-desktop service install) so they keep working without the app.',
    buttons: ['Disconnect and quit', 'Keep connected and quit', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
  };
}

/** What the button the user pressed means. */
export const quitChoice = (response: number): QuitChoice => CHOICES[response] ?? 'cancel';

function listOf(names: string[]): string {
  if (names.length <= 2) return names.join(' and ');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
