// node's own FileHandle methods, as the drop-in keeps and calls them: any
// arguments, any result (each caller knows the method it calls); and the
// results the drop-in gives in their place, shaped as theirs.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFn = (...args: any[]) => any;

/** node's FileHandle.prototype methods by name. */
export type NodeMethods = Record<string, AnyFn>;

/** A result as node:fs/promises gives it: a null-prototype object. */
export function nullProto<T extends object>(o: T): T {
  return Object.assign(Object.create(null), o);
}
