/**
 * The files that make `lava-desktop serve` the user's background service, one per OS, as pure
 * functions of what to run: a systemd user unit (Linux), a launchd agent (macOS), a Task Scheduler
 * task started at logon (Windows, for `schtasks /Create /XML`). Each quotes paths with spaces
 * the way its reader splits them.
 */
import { join, win32 } from 'node:path';

export type ServicePlatform = 'linux' | 'darwin' | 'win32';

export interface ServiceSpec {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of bin/lava-desktop.js. */
  bin: string;
  /** `--data-dir`, when the user gave one (else the gateway's default). */
  dataDir?: string;
  /** `--port`, when the user gave one. */
  port?: number;
  /** `--config`, when the user gave one (absolute). */
  config?: string;
  /** Where launchd writes the gateway's output (the data dir). */
  logFile: string;
  /** Windows: the account whose logon starts the task (`DOMAIN\user`). */
  user?: string;
}

export const SERVICE_NAME = 'lava-desktop.service';
export const LAUNCHD_LABEL = 'com.lavapayments.lava-desktop';
export const TASK_NAME = 'Lava Desktop';

/** Where the service file lives under the user's home. */
export function serviceFile(platform: ServicePlatform, home: string): string {
  if (platform === 'darwin') return join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  if (platform === 'win32') return win32.join(home, 'AppData', 'Local', 'lava-desktop', 'lava-desktop-task.xml');
  return join(home, '.config', 'systemd', 'user', SERVICE_NAME);
}

/** The command line after the node binary: the bin, `serve` and the flags given. */
export function serveArgs(spec: ServiceSpec): string[] {
  const args = [spec.bin, 'serve'];
  if (spec.port !== undefined) args.push('--port', String(spec.port));
  if (spec.dataDir !== undefined) args.push('--data-dir', spec.dataDir);
  if (spec.config !== undefined) args.push('--config', spec.config);
  return args;
}

/**
 * One word of a systemd command line: double-quoted when it has spaces or quotes; `%` (a unit
 * specifier) and `$` (variable expansion) doubled so they reach the program as typed.
 */
export function systemdWord(s: string): string {
  const escaped = s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (escaped !== '' && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdUnit(spec: ServiceSpec): string {
  const exec = [spec.node, ...serveArgs(spec)].map(systemdWord).join(' ');
  return `# Installed by \`lava-desktop service install\`; remove with \`lava-desktop service uninstall\`.
[Unit]
Description=Lava Desktop gateway (local AI metering gateway)

[Service]
Type=simple
ExecStart=${exec}
Restart=on-failure
RestartSec=5
# Exit code 2 is a configuration error (or another gateway on the data dir): restarting cannot fix it.
RestartPreventExitStatus=2

[Install]
WantedBy=default.target
`;
}

/** Text inside an XML element (quotes need no escaping there). */
const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function launchdPlist(spec: ServiceSpec): string {
  const args = [spec.node, ...serveArgs(spec)].map((a) => `    <string>${xml(a)}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Installed by \`lava-desktop service install\`; remove with \`lava-desktop service uninstall\`. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ProcessType</key>
  <string>Background</string>
  <key>StandardOutPath</key>
  <string>${xml(spec.logFile)}</string>
  <key>StandardErrorPath</key>
  <string>${xml(spec.logFile)}</string>
</dict>
</plist>
`;
}

/**
 * One argument of a Windows command line as CommandLineToArgvW (and so node.exe) splits it:
 * quoted when it has spaces, tabs or quotes; backslashes before a quote doubled; quotes escaped.
 */
export function windowsArg(s: string): string {
  if (s !== '' && !/[\s"]/.test(s)) return s;
  return `"${s.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

export function windowsTaskXml(spec: ServiceSpec): string {
  const user = spec.user ? `\n      <UserId>${xml(spec.user)}</UserId>` : '';
  return `<?xml version="1.0" encoding="UTF-16"?>
<!-- Installed by \`lava-desktop service install\`; remove with \`lava-desktop service uninstall\`. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Lava Desktop gateway (local AI metering gateway), started at logon.</Description>
    <URI>\\${TASK_NAME}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>${user}
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xml(windowsArg(spec.node))}</Command>
      <Arguments>${xml(serveArgs(spec).map(windowsArg).join(' '))}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}

export function unitFor(platform: ServicePlatform, spec: ServiceSpec): string {
  if (platform === 'darwin') return launchdPlist(spec);
  if (platform === 'win32') return windowsTaskXml(spec);
  return systemdUnit(spec);
}

/** The file's bytes: Task Scheduler reads its XML as UTF-16 with a byte-order mark, the others UTF-8. */
export function unitBytes(platform: ServicePlatform, text: string): Buffer {
  return platform === 'win32' ? Buffer.from(`\ufeff${text.replace(/\r?\n/g, '\r\n')}`, 'utf16le') : Buffer.from(text);
}
