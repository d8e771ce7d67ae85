/**
 * The service files per OS, on their exact content, with paths that have spaces and characters
 * each format treats specially; the systemd unit is also checked by systemd's own parser where
 * the machine has it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  launchdPlist,
  serviceFile,
  systemdUnit,
  systemdWord,
  unitBytes,
  windowsArg,
  windowsTaskXml,
} from '../../src/service/units.js';

describe('systemd user unit', () => {
  it('runs node on the bin with serve and the flags given, quoted where needed', () => {
    const unit = systemdUnit({
      node: '/home/ann lee/.nvm/versions/node/v20.11.0/bin/node',
      bin: '/home/ann lee/lib/node_modules/lava-desktop/bin/lava-desktop.js',
      dataDir: '/home/ann lee/Lava 100% "data"',
      port: 5999,
      logFile: '/unused',
    });
    expect(unit).toBe(`# Installed by \`lava-desktop service install\`; remove with \`lava-desktop service uninstall\`.
[Unit]
Description=Lava Desktop gateway (local AI metering gateway)

[Service]
Type=simple
ExecStart="/home/ann lee/.nvm/versions/node/v20.11.0/bin/node" "/home/ann lee/lib/node_modules/lava-desktop/bin/lava-desktop.js" serve --port 5999 --data-dir "/home/ann lee/Lava 100%% \\"data\\""
Restart=on-failure
RestartSec=5
# Exit code 2 is a configuration error (or another gateway on the data dir): restarting cannot fix it.
RestartPreventExitStatus=2

[Install]
WantedBy=default.target
`);
  });

  it('plain paths stay unquoted; no flags when none were given', () => {
    const unit = systemdUnit({ node: '/usr/bin/node', bin: '/opt/lava/bin/lava-desktop.js', logFile: '' });
    expect(unit).toContain('\nExecStart=/usr/bin/node /opt/lava/bin/lava-desktop.js serve\n');
  });

  it('words: % and $ doubled, backslashes and quotes escaped inside quotes', () => {
    expect(systemdWord('a$b')).toBe('a$$b');
    expect(systemdWord('50%')).toBe('50%%');
    expect(systemdWord('C:\\x y')).toBe('"C:\\\\x y"');
    expect(systemdWord("it's")).toBe('"it\'s"');
    expect(systemdWord('')).toBe('""');
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!analyze)("systemd's parser finds the node binary through a path with spaces and %", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lava-unit-'));
    const odd = join(dir, 'my tools 100%');
    await mkdir(odd);
    await symlink(process.execPath, join(odd, 'node'));
    const file = join(dir, 'lava-desktop.service');
    await writeFile(file, systemdUnit({ node: join(odd, 'node'), bin: join(odd, 'bin.js'), logFile: '' }));
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    // The same unit with the path unquoted is refused: the check can fail.
    await writeFile(file, `[Service]\nExecStart=${join(odd, 'node')} x\n`);
    expect(spawnSync('systemd-analyze', ['verify', file]).status).not.toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('launchd agent', () => {
  it('lists the arguments one per string, escapes XML, restarts on failure, logs into the data dir', () => {
    const plist = launchdPlist({
      node: '/Users/Ann Lee/.nvm/versions/node/v20.11.0/bin/node',
      bin: '/Users/Ann Lee/My Tools/lava-desktop/bin/lava-desktop.js',
      dataDir: '/Users/Ann Lee/Lava & Co <data>',
      logFile: '/Users/Ann Lee/Lava & Co <data>/service.log',
    });
    expect(plist).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Installed by \`lava-desktop service install\`; remove with \`lava-desktop service uninstall\`. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>com.lavapayments.lava-desktop</string>
  <key>ProgramArguments</key>
  <array>
    <string>/Users/Ann Lee/.nvm/versions/node/v20.11.0/bin/node</string>
    <string>/Users/Ann Lee/My Tools/lava-desktop/bin/lava-desktop.js</string>
    <string>serve</string>
    <string>--data-dir</string>
    <string>/Users/Ann Lee/Lava &amp; Co &lt;data&gt;</string>
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
  <string>/Users/Ann Lee/Lava &amp; Co &lt;data&gt;/service.log</string>
  <key>StandardErrorPath</key>
  <string>/Users/Ann Lee/Lava &amp; Co &lt;data&gt;/service.log</string>
</dict>
</plist>
`);
  });

  const plutil = spawnSync('plutil', ['-help']).error === undefined;
  it.skipIf(!plutil)('plutil accepts it (macOS)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lava-plist-'));
    const file = join(dir, 'a.plist');
    await writeFile(file, launchdPlist({ node: '/a b/node', bin: '/a b/bin.js', logFile: '/a & b/log' }));
    expect(execFileSync('plutil', ['-lint', file], { encoding: 'utf8' })).toContain('OK');
    await rm(dir, { recursive: true, force: true });
  });
});

describe('Windows logon task', () => {
  it('quotes the command and arguments as node.exe splits them, starts at the user’s logon, runs unbounded', () => {
    const task = windowsTaskXml({
      node: 'C:\\Program Files\\nodejs\\node.exe',
      bin: 'C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\lava-desktop\\bin\\lava-desktop.js',
      dataDir: 'D:\\Lava & data',
      port: 5999,
      logFile: 'unused',
      user: 'DESKTOP-1\\Ann Lee',
    });
    expect(task).toBe(`<?xml version="1.0" encoding="UTF-16"?>
<!-- Installed by \`lava-desktop service install\`; remove with \`lava-desktop service uninstall\`. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Lava Desktop gateway (local AI metering gateway), started at logon.</Description>
    <URI>\\Lava Desktop</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>DESKTOP-1\\Ann Lee</UserId>
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
      <Command>"C:\\Program Files\\nodejs\\node.exe"</Command>
      <Arguments>"C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\lava-desktop\\bin\\lava-desktop.js" serve --port 5999 --data-dir "D:\\Lava &amp; data"</Arguments>
    </Exec>
  </Actions>
</Task>
`);
  });

  it('arguments: backslashes before a quote or the closing quote doubled, quotes escaped', () => {
    expect(windowsArg('C:\\plain\\path')).toBe('C:\\plain\\path');
    expect(windowsArg('C:\\with space\\')).toBe('"C:\\with space\\\\"');
    expect(windowsArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(windowsArg('a\\"b')).toBe('"a\\\\\\"b"');
    expect(windowsArg('')).toBe('""');
  });

  it('is written as UTF-16 with a byte-order mark and CRLF lines', () => {
    const bytes = unitBytes('win32', '<a>\n</a>\n');
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(bytes.subarray(2).toString('utf16le')).toBe('<a>\r\n</a>\r\n');
    expect(unitBytes('linux', 'x\n').toString('utf8')).toBe('x\n');
  });
});

describe('where the files go', () => {
  it('under the home dir given', () => {
    expect(serviceFile('linux', '/home/a b')).toBe('/home/a b/.config/systemd/user/lava-desktop.service');
    expect(serviceFile('darwin', '/Users/a b')).toBe(
      '/Users/a b/Library/LaunchAgents/com.lavapayments.lava-desktop.plist',
    );
    expect(serviceFile('win32', 'C:\\Users\\a b')).toBe(
      'C:\\Users\\a b\\AppData\\Local\\lava-desktop\\lava-desktop-task.xml',
    );
  });
});
