{
  "targets": [
    {
      "target_name": "unirec_native",
      "sources": ["native/dispatch.cc", "native/kernels-avx2.cc", "native/kernels-generic.cc"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-fassociative-math", "-fno-signed-zeros", "-ffp-contract=fast", "-fexceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-fassociative-math", "-fno-signed-zeros", "-ffp-contract=fast", "-fexceptions", "-Wno-psabi"],
      "ldflags": ["-pthread"],
      "xcode_settings": {"GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CFLAGS": ["-O3", "-ffp-contract=fast"]},
      "msvs_settings": {"VCCLCompilerTool": {"ExceptionHandling": 1}}
    }
  ]
}
