import { useSyncExternalStore } from 'react'
import type { ConsoleModel, ConsoleSnapshot } from '../model.js'

/** The console's current snapshot; re-renders when the model polls or logs. */
export function useSnapshot(model: ConsoleModel): ConsoleSnapshot {
  return useSyncExternalStore(
    (fn) => model.subscribe(fn),
    () => model.current,
  )
}
