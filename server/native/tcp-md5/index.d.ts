/** A new non-blocking TCP socket (SOCK_STREAM, close-on-exec) for `new net.Socket({ fd })`. */
export function createSocket(family: 4 | 6): number;
/**
 * Sets (or, with an empty key, deletes) the RFC 2385 key for `address`/`prefixLength` on a socket:
 * TCP_MD5SIG for a host, TCP_MD5SIG_EXT with a prefix otherwise. An IPv4 address on an IPv6
 * socket is mapped (::ffff:a.b.c.d). Throws an Error whose `code` is the errno name.
 */
export function setKey(fd: number, address: string, prefixLength: number, key: Uint8Array): void;
/** Closes a descriptor createSocket returned that was never handed to Node. */
export function close(fd: number): void;
