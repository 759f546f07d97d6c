/**
 * The application menu as data: File (open a folder, files or a DICOMDIR,
 * the demo study), Edit, View, Window, Help (shortcuts, about). Items that act
 * on the app send a command to the renderer, which owns those actions, so the
 * menu, the toolbar and the keyboard all do the same thing. No Electron import:
 * main.ts builds it with Menu.buildFromTemplate, tests read it as data.
 */
import type { APP_COMMANDS } from './api/contract.js';

export type AppCommand = (typeof APP_COMMANDS)[number];

/** The subset of Electron's MenuItemConstructorOptions used here. */
export interface MenuItem {
  label?: string;
  role?: string;
  accelerator?: string;
  type?: 'separator';
  submenu?: MenuItem[];
  click?: () => void;
}

export function menuTemplate(send: (command: AppCommand) => void, platform: NodeJS.Platform): MenuItem[] {
  const item = (label: string, command: AppCommand, accelerator?: string): MenuItem => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => send(command),
  });
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' }] : []),
    {
      label: '&File',
      submenu: [
        item('Open Folder…', 'openFolder', 'CmdOrCtrl+O'),
        item('Open Files or DICOMDIR…', 'openFiles', 'CmdOrCtrl+Shift+O'),
        item('Open Demo Study', 'openDemo'),
        { type: 'separator' },
        { role: platform === 'darwin' ? 'close' : 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      label: '&Help',
      role: 'help',
      submenu: [item('Keyboard Shortcuts', 'shortcuts', 'Shift+/'), item('About RadSift', 'about')],
    },
  ];
}
