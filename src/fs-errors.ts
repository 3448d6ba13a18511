// File-system errors as the words a stage tech reads, not errno names.

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'is a directory'
    case 'ENOSPC':
      return 'disk full'
    case 'EROFS':
      return 'read-only file system'
    default:
      return (err as Error)?.message ?? String(err)
  }
}
