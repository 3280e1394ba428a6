// node's own FileHandle methods, as the drop-in keeps and calls them: any
// arguments, any result (each caller knows the method it calls).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFn = (...args: any[]) => any;

/** node's FileHandle.prototype methods by name. */
export type NodeMethods = Record<string, AnyFn>;
