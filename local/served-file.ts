import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import { join } from 'node:path';

// Not defined on Windows, where lstat and the inode comparison below still refuse links.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The bytes of `<root>/<path>` if it is a file the issuer server may serve, else undefined: a regular file
 * with one link whose real path is exactly that path under the real root. Refused, so a request never
 * sees their target: a symbolic link anywhere below the root (even one pointing inside it: publishers
 * write plain files, and a link is how `master.key` or a sealed key would leak), a hard link (a second
 * name of a file that may live outside), a directory, device, fifo or socket (never opened, so a fifo
 * cannot stall the server). The file is opened without following links and must be the one checked
 * (same device and inode), so a swap between the check and the read serves nothing. A root that is
 * itself reached through a link (a home on a linked folder) is fine.
 */
export async function readServedFile(root: string, path: string): Promise<Buffer | undefined> {
  try {
    const filePath = join(await realpath(root), path);
    const checked = await lstat(filePath);
    if (!isPlainFile(checked) || (await realpath(filePath)) !== filePath) {
      return undefined;
    }
    const handle = await open(filePath, OPEN_FLAGS);
    try {
      const opened = await handle.stat();
      const same = opened.dev === checked.dev && opened.ino === checked.ino;
      return same && isPlainFile(opened) ? await handle.readFile() : undefined;
    } finally {
      await handle.close();
    }
  } catch {
    // Missing, unreadable, a link refused by O_NOFOLLOW (ELOOP): all are simply not served.
    return undefined;
  }
}

function isPlainFile(stats: { isFile(): boolean; nlink: number }): boolean {
  return stats.isFile() && stats.nlink === 1;
}
