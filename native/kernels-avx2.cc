// The kernels compiled for AVX2 + FMA (x86-64-v3); chosen by dispatch.cc only on CPUs that have both.
#include "kernels-std.h"
#if defined(__x86_64__) || defined(__i386__)
#pragma GCC target("avx2,fma")
#define UNIREC_NS unirec_avx2
#include "kernels.inc"
#endif
