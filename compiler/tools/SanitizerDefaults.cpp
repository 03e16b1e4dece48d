//===- SanitizerDefaults.cpp - ASan defaults of the LLVM-linked tools -----===//
//
// Linked into dlnc, dlnc-opt and the frontend fuzz target when they are built
// with AddressSanitizer (DLNC_SANITIZE, docs/testing.md). Their own code is
// instrumented, libMLIR and libLLVM are not, and LLVM's BumpPtrAllocator
// poisons its free slab space only where its inline code is instrumented: a
// slab poisoned by our code and then allocated from inside libMLIR reads as
// "use-after-poison". Ignoring manual poisoning removes these false reports;
// every instrumented access is still checked.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}
