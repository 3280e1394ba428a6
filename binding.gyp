{
  "targets": [
    {
      "target_name": "linux_aio",
      "sources": [
        "addon/binding.cc",
        "addon/buffers.cc",
        "addon/context.cc",
        "addon/destroyer.cc",
        "addon/env.cc",
        "addon/fd.cc",
        "addon/kaio.cc",
        "addon/probe.cc",
        "addon/reap.cc",
        "addon/shared_arrays.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
