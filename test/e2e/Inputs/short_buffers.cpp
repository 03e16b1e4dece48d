// Calls the XOR model's eval_step with every buffer one element long, far
// shorter than the shapes the model reads: under AddressSanitizer the model's
// own code must report the first read past a buffer (sanitized-model.test).
#include <cstdint>
#include <cstdlib>

extern "C" void dln_xor_eval_step(void **args);

int main() {
  void *args[16];
  for (void *&arg : args) {
    void *buffer = std::malloc(sizeof(double));
    // {allocated, aligned, offset, sizes..., strides...}: any rank up to 6.
    auto *descriptor = static_cast<int64_t *>(std::calloc(16, sizeof(int64_t)));
    descriptor[0] = descriptor[1] = reinterpret_cast<int64_t>(buffer);
    for (int i = 3; i < 16; ++i)
      descriptor[i] = 1;
    arg = descriptor;
  }
  dln_xor_eval_step(args);
  return 0;
}
