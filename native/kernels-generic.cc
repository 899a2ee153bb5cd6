// The kernels compiled for the baseline of the target (SSE2 on x86-64): the fallback of dispatch.cc.
#include "kernels-std.h"
#define UNIREC_NS unirec_generic
#include "kernels.inc"
