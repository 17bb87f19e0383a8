// malloc_trim for Node: returns the free pages of glibc's heaps to the operating system. Node
// keeps ArrayBuffer contents in malloc'ed memory; after a burst of requests the heap stays as
// large as its peak (freed blocks between live ones are not given back), so a service's resident
// memory would never come back down. Built by scripts/build-native.js, without -march=native:
// nothing here depends on the CPU.
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Trim(napi_env env, napi_callback_info) {
  bool released = false;
#if defined(__GLIBC__)
  released = malloc_trim(0) != 0;
#endif
  napi_value result;
  napi_get_boolean(env, released, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, nullptr, &fn);
  napi_set_named_property(env, exports, "trim", fn);
  return exports;
}
