/**
 * A signal that aborts when any of several does — `AbortSignal.any` without its leak. Node 20
 * keeps, in each source signal, a WeakRef to every signal `AbortSignal.any` derived from it and
 * drops none while the source lives (nodejs/node#55351): a daemon that combined its lifelong stop
 * signal with a short-lived one per call, sleep or run gained 25,000–40,000 WeakRefs (0.8–1.3 MB of
 * heap, plus the array holding them) per process in 21 simulated hours of a soak, for ever. Here
 * the link is undone when the operation ends (`release`), and each source carries one listener,
 * however many links follow it at once (no MaxListenersExceededWarning on a stop signal that
 * dozens of waits follow).
 */

export interface LinkedSignal {
  /** Aborts, with the first source's reason, when any source aborts (at once if one already has). */
  readonly signal: AbortSignal;
  /** Unhooks the link from its sources; call it when the operation is over, whatever its outcome. */
  release(): void;
}

type Follower = (reason: unknown) => void;

/** Per source signal, the links following it: one 'abort' listener per source calls them all. */
const followersBySource = new WeakMap<AbortSignal, Set<Follower>>();

export function linkSignals(...sources: readonly (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const present = sources.filter((s): s is AbortSignal => s !== undefined);
  const aborted = present.find((s) => s.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const unfollow: (() => void)[] = [];
  const release = (): void => {
    for (const undo of unfollow.splice(0)) undo();
  };
  const onAbort: Follower = (reason) => {
    release();
    controller.abort(reason);
  };
  for (const source of present) unfollow.push(follow(source, onAbort));
  return { signal: controller.signal, release };
}

/** How many links follow `source` now (diagnostics and tests: 0 once every link is released). */
export function followersOf(source: AbortSignal): number {
  return followersBySource.get(source)?.size ?? 0;
}

function follow(source: AbortSignal, follower: Follower): () => void {
  let followers = followersBySource.get(source);
  if (!followers) {
    const set = new Set<Follower>();
    followers = set;
    followersBySource.set(source, set);
    source.addEventListener('abort', () => {
      for (const f of [...set]) f(source.reason);
    }, { once: true });
  }
  const set = followers;
  set.add(follower);
  return () => {
    set.delete(follower);
  };
}
