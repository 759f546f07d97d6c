import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { APP_COMMANDS } from '../../electron/api/contract.js';
import { menuTemplate, type AppCommand, type MenuItem } from '../../electron/app-menu.js';
import { PROJECT_ROOT } from '../support/paths.js';

function items(menu: MenuItem[]): MenuItem[] {
  return menu.flatMap((m) => [m, ...items(m.submenu ?? [])]);
}

describe('application menu', () => {
  it('offers every app command once, with the usual shortcuts, and sends it when chosen', () => {
    const sent: AppCommand[] = [];
    const all = items(menuTemplate((c) => sent.push(c), 'linux'));
    const clickable = all.filter((m) => m.click);
    for (const m of clickable) m.click!();
    assert.deepEqual([...sent].sort(), [...APP_COMMANDS].sort());
    const byLabel = new Map(all.map((m) => [m.label, m]));
    assert.equal(byLabel.get('Open Folder…')?.accelerator, 'CmdOrCtrl+O');
    assert.equal(byLabel.get('Open Files or DICOMDIR…')?.accelerator, 'CmdOrCtrl+Shift+O');
    assert.ok(all.some((m) => m.role === 'quit'));
    assert.ok(!all.some((m) => m.role === 'appMenu'), 'the app menu is macOS only');
  });

  it('follows macOS conventions there', () => {
    const all = items(menuTemplate(() => undefined, 'darwin'));
    assert.ok(all.some((m) => m.role === 'appMenu'));
    assert.ok(all.some((m) => m.role === 'close') && !all.some((m) => m.role === 'quit'));
  });

  it('is the menu main.ts installs, sending commands to the focused window', () => {
    const main = readFileSync(path.join(PROJECT_ROOT, 'electron', 'main.ts'), 'utf8');
    assert.match(main, /Menu\.buildFromTemplate\(menuTemplate\(sendCommand, process\.platform\)/);
    assert.match(main, /emit\('app\.command', \{ command \}\)/);
  });
});
