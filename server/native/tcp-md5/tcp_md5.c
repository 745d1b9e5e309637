// TCP_MD5SIG (RFC 2385) for Node sockets: Node has no setsockopt, so this sets the option on a
// descriptor (a listening socket's, or a fresh one the speaker then connects through Node).
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <node_api.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCP_MD5SIG_EXT
#define TCP_MD5SIG_EXT 32
#endif
#ifndef TCP_MD5SIG_FLAG_PREFIX
#define TCP_MD5SIG_FLAG_PREFIX 0x1
#endif

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  const char *name = err == EPERM ? "EPERM" : err == EINVAL ? "EINVAL" : err == ENOPROTOOPT ? "ENOPROTOOPT"
                   : err == ENOENT ? "ENOENT" : err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK"
                   : err == EAFNOSUPPORT ? "EAFNOSUPPORT" : err == ENOMEM ? "ENOMEM" : "EIO";
  napi_throw_error(env, name, message);
  return NULL;
}

static int get_int(napi_env env, napi_value v, int *out) {
  int32_t i;
  if (napi_get_value_int32(env, v, &i) != napi_ok) return 0;
  *out = i;
  return 1;
}

static napi_value create_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int family = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !get_int(env, argv[0], &family) || (family != 4 && family != 6)) {
    napi_throw_type_error(env, NULL, "createSocket(family): family must be 4 or 6");
    return NULL;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

static napi_value set_key(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = -1, prefix = -1;
  char address[INET6_ADDRSTRLEN + 1];
  size_t address_len = 0;
  void *key = NULL;
  size_t key_len = 0;
  bool is_typed = false;
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[2], &prefix) ||
      napi_get_value_string_utf8(env, argv[1], address, sizeof address, &address_len) != napi_ok ||
      napi_is_typedarray(env, argv[3], &is_typed) != napi_ok || !is_typed) {
    napi_throw_type_error(env, NULL, "setKey(fd, address, prefixLength, key: Uint8Array)");
    return NULL;
  }
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(env, argv[3], &type, &key_len, &key, &buffer, &offset);
  if (key_len > TCP_MD5SIG_MAXKEYLEN) {
    napi_throw_range_error(env, "EINVAL", "TCP-MD5 key longer than 80 bytes");
    return NULL;
  }

  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &local_len) < 0) return throw_errno(env, "getsockname", errno);

  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  struct in_addr v4;
  struct in6_addr v6;
  int full;
  if (inet_pton(AF_INET, address, &v4) == 1) {
    full = 32;
    if (local.ss_family == AF_INET6) {
      // A dual-stack listener sees IPv4 peers as v4-mapped addresses.
      struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&sig.tcpm_addr;
      sa->sin6_family = AF_INET6;
      sa->sin6_addr.s6_addr[10] = 0xff;
      sa->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&sa->sin6_addr.s6_addr[12], &v4, 4);
      if (prefix >= 0 && prefix < 32) prefix += 96;
      full = 128;
    } else {
      struct sockaddr_in *sa = (struct sockaddr_in *)&sig.tcpm_addr;
      sa->sin_family = AF_INET;
      sa->sin_addr = v4;
    }
  } else if (inet_pton(AF_INET6, address, &v6) == 1) {
    if (local.ss_family != AF_INET6) return throw_errno(env, "IPv6 key on an IPv4 socket", EAFNOSUPPORT);
    struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&sig.tcpm_addr;
    sa->sin6_family = AF_INET6;
    sa->sin6_addr = v6;
    full = 128;
  } else {
    napi_throw_type_error(env, "EINVAL", "setKey: address is not an IP address");
    return NULL;
  }
  if (prefix < 0 || prefix > full) {
    napi_throw_range_error(env, "EINVAL", "setKey: prefix length out of range");
    return NULL;
  }
  sig.tcpm_keylen = (unsigned short)key_len;
  if (key_len > 0) memcpy(sig.tcpm_key, key, key_len);
  int option = TCP_MD5SIG;
  if (prefix < full) {
    option = TCP_MD5SIG_EXT;
    sig.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
    sig.tcpm_prefixlen = (unsigned char)prefix;
  }
  int rc = setsockopt(fd, IPPROTO_TCP, option, &sig, sizeof sig);
  memset(&sig, 0, sizeof sig);  // the key does not linger on the stack
  if (rc < 0) return throw_errno(env, option == TCP_MD5SIG ? "setsockopt TCP_MD5SIG" : "setsockopt TCP_MD5SIG_EXT", errno);
  return NULL;
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1 && get_int(env, argv[0], &fd) && fd >= 0) close(fd);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createSocket", NULL, create_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setKey", NULL, set_key, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
