// SIGINT and SIGTERM as a graceful stop: the command decides what stopping means.

export function onStopSignals(stop: (signal: 'SIGINT' | 'SIGTERM') => void): () => void {
  const onInt = (): void => stop('SIGINT')
  const onTerm = (): void => stop('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  return () => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
}
